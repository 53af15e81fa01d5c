/**
 * Which actions to offer on a case, and what each asks for. The server's transition table
 * (src/cases/rules/transitions.ts) decides; this mirror of the table's states and roles only
 * chooses which buttons to show — a refused action still comes back as a clear problem from
 * the server.
 */
import type { CaseState, CaseView, Role } from '../api/types.ts';

export type ActionField =
  | 'reason'
  | 'note'
  | 'evidence'
  | 'minutes'
  | 'approve'
  | 'result'
  | 'satisfaction'
  | 'override'
  | 'into'
  | 'departments'
  | 'rating';

interface ActionRule {
  from: readonly CaseState[];
  roles: readonly Role[];
  fields: readonly ActionField[];
}

const DEPARTMENT: readonly Role[] = ['department_handler', 'department_leader'];
const ACTIVE: readonly CaseState[] = ['filed', 'dispatched', 'in_progress', 'rework', 'extension_pending'];
const PAUSABLE: readonly CaseState[] = ['filed', 'dispatched', 'in_progress', 'rework'];
const OPEN: readonly CaseState[] = [
  'reported',
  'filed',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'extension_pending',
  'deferred',
  'parked',
];

export const ACTION_RULES = {
  file: { from: ['reported'], roles: ['supervision_operator'], fields: [] },
  reject: { from: ['reported'], roles: ['supervision_operator'], fields: ['reason'] },
  merge: { from: OPEN, roles: ['supervision_operator'], fields: ['into'] },
  dispatch: { from: ['filed'], roles: ['dispatcher'], fields: ['override'] },
  accept: { from: ['dispatched'], roles: DEPARTMENT, fields: [] },
  return: { from: ['dispatched'], roles: DEPARTMENT, fields: ['reason'] },
  'request-extension': { from: ['in_progress', 'rework'], roles: DEPARTMENT, fields: ['minutes', 'reason'] },
  'decide-extension': { from: ['extension_pending'], roles: ['dispatcher'], fields: ['approve'] },
  defer: { from: PAUSABLE, roles: ['dispatcher'], fields: ['reason'] },
  park: { from: PAUSABLE, roles: ['dispatcher'], fields: ['reason'] },
  unpark: { from: ['deferred', 'parked'], roles: ['dispatcher'], fields: [] },
  handle: { from: ['in_progress', 'rework'], roles: DEPARTMENT, fields: ['note', 'evidence'] },
  verify: {
    from: ['handled'],
    roles: ['supervision_operator', 'grid_worker'],
    fields: ['result', 'note', 'evidence'],
  },
  close: { from: ['filed', 'handled'], roles: ['supervision_operator'], fields: ['note'] },
  evaluate: { from: ['closed'], roles: ['citizen', 'supervision_operator'], fields: ['satisfaction'] },
  supervise: { from: [...ACTIVE, 'handled'], roles: ['dispatcher'], fields: ['note'] },
  escalate: { from: ACTIVE, roles: ['dispatcher'], fields: ['reason'] },
  whistle: { from: ACTIVE, roles: ['street_officer'], fields: ['departments'] },
  'report-in': { from: [...ACTIVE, 'handled', 'deferred', 'parked'], roles: DEPARTMENT, fields: [] },
  'rate-linkage': {
    from: [...ACTIVE, 'handled', 'deferred', 'parked', 'closed', 'evaluated'],
    roles: ['street_officer'],
    fields: ['rating'],
  },
} as const satisfies Record<string, ActionRule>;

export type CaseActionName = keyof typeof ACTION_RULES;
export const CASE_ACTION_NAMES = Object.keys(ACTION_RULES) as CaseActionName[];

/** The actions to offer this user on this case. */
export function actionsFor(c: Pick<CaseView, 'state'>, roles: readonly Role[]): CaseActionName[] {
  return CASE_ACTION_NAMES.filter((name) => {
    const rule: ActionRule = ACTION_RULES[name];
    return rule.from.includes(c.state) && rule.roles.some((r) => roles.includes(r));
  });
}

export function fieldsOf(action: CaseActionName): readonly ActionField[] {
  return ACTION_RULES[action].fields;
}
