import { ConfigError, type Kernel } from '../kernel/index.ts';
import { systemActor } from './actor.ts';
import { generatePassword, passwordProblems } from './password.ts';
import { ROLES, type Role } from './permissions.ts';
import { createUser, findUserRow } from './users.ts';

/**
 * First start: makes sure an `admin` user exists. Its password comes from
 * `ONECITY_ADMIN_PASSWORD`, or is generated and shown once through `announce` (stdout by
 * default, never the logger, so it does not end up in log storage).
 */
export async function ensureAdminUser(
  kernel: Kernel,
  options: { password?: string; announce?: (message: string) => void } = {},
): Promise<{ created: boolean; generatedPassword?: string }> {
  if (await findUserRow(kernel.db, 'admin')) return { created: false };
  const given = options.password ?? process.env.ONECITY_ADMIN_PASSWORD;
  if (given) {
    const problems = passwordProblems(given, 'admin');
    if (problems.length)
      throw new ConfigError('ONECITY_ADMIN_PASSWORD', `the password ${problems.join(', ')}`);
  }
  const password = given || generatePassword();
  await createUser(
    kernel.db,
    { username: 'admin', displayName: 'Administrator', password, roles: ['admin'] },
    systemActor(kernel.clock.now()),
  );
  if (given) return { created: true };
  // On stderr: stdout belongs to the command's own output (e.g. the JSON of `onecity simulate`).
  const announce = options.announce ?? ((m: string) => process.stderr.write(`${m}\n`));
  announce(
    `OneCity created the "admin" user with the generated password:\n\n    ${password}\n\nIt is shown only this once. Set ONECITY_ADMIN_PASSWORD to choose it yourself.`,
  );
  return { created: true, generatedPassword: password };
}

/** Where demo users work: department codes and division codes of the demo city. */
export interface DemoScope {
  /** The demo password for every demo user; `ONECITY_DEMO_PASSWORD` or generated otherwise. */
  password?: string;
  /** Department codes; the first is the demo handler's and leader's department. */
  departments: readonly string[];
  /** Division codes of the demo city, by level. */
  divisions: { district?: string; street?: string; community?: string; grid?: string };
}

/** Where each demo role is placed; city-wide roles get no division codes. */
function demoAssignment(
  role: Role,
  scope: DemoScope,
): { departmentCodes: string[]; divisionCodes: string[] } {
  const d = scope.divisions;
  const dept = scope.departments[0] ? [scope.departments[0]] : [];
  const one = (code: string | undefined) => (code ? [code] : []);
  switch (role) {
    case 'citizen':
      return { departmentCodes: [], divisionCodes: [] };
    case 'grid_worker':
      return { departmentCodes: [], divisionCodes: one(d.grid ?? d.community ?? d.street) };
    case 'street_officer':
      return { departmentCodes: [], divisionCodes: one(d.street ?? d.district) };
    case 'department_handler':
    case 'department_leader':
      return { departmentCodes: dept, divisionCodes: [] };
    default:
      return { departmentCodes: [], divisionCodes: [] };
  }
}

/**
 * Creates one demo user per role (`demo.dispatcher`, `demo.grid_worker`…), skipping those
 * that exist. Returns the password (from the options, `ONECITY_DEMO_PASSWORD`, or generated)
 * and the users created.
 */
export async function ensureDemoUsers(
  kernel: Kernel,
  scope: DemoScope,
): Promise<{ password: string; created: { username: string; role: Role }[] }> {
  const password = scope.password ?? process.env.ONECITY_DEMO_PASSWORD ?? generatePassword();
  const created: { username: string; role: Role }[] = [];
  for (const role of ROLES) {
    const username = `demo.${role}`;
    if (await findUserRow(kernel.db, username)) continue;
    await createUser(
      kernel.db,
      {
        username,
        displayName: `Demo ${role.replace(/_/g, ' ')}`,
        password,
        roles: [role],
        ...demoAssignment(role, scope),
      },
      systemActor(kernel.clock.now()),
    );
    created.push({ username, role });
  }
  return { password, created };
}
