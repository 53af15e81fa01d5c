/**
 * Writes the web app's API types (`web/src/api/schema.gen.ts`) from the platform's own
 * OpenAPI document, so the web app cannot drift from the route schemas
 * (docs/architecture.md, "The web app"). Run `npm run api-types` after changing a route's
 * schema; `test/web/api-types.test.ts` fails while the committed file is stale.
 *
 * The platform is built in-process on an in-memory embedded database, without migrations
 * or background work: the document comes from the route schemas alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { buildApp } from '../src/app.ts';
import { createLogger, loadConfig, openStorage } from '../src/kernel/index.ts';

/** Where the generated types live, committed. */
export const API_TYPES_FILE = fileURLToPath(new URL('../web/src/api/schema.gen.ts', import.meta.url));

/** The command that regenerates {@link API_TYPES_FILE}. */
export const API_TYPES_COMMAND = 'npm run api-types';

const HEADER = `// Generated from /api/openapi.json by \`${API_TYPES_COMMAND}\` (scripts/generate-api-types.ts); do not edit.\n`;

/** The platform's OpenAPI 3.1 document, as `GET /api/openapi.json` serves it. */
export async function readOpenApiDocument(): Promise<OpenAPI3> {
  const storage = await openStorage({ dataDir: null });
  try {
    // Only the built-in defaults: the document must not depend on the machine's environment.
    const config = loadConfig({ env: { LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false' }, file: null });
    const built = await buildApp({
      config,
      storage,
      migrate: false,
      background: false,
      logger: createLogger({ logLevel: 'silent', logPretty: false }),
    });
    try {
      const res = await built.app.inject({ url: '/api/openapi.json' });
      if (res.statusCode !== 200) throw new Error(`/api/openapi.json answered ${res.statusCode}`);
      return res.json() as OpenAPI3;
    } finally {
      await built.close();
    }
  } finally {
    await storage.close();
  }
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Marks every property of a response object as present where the object lists no
 * `required`: the route schemas state `required` only where some properties may be absent
 * (a response schema's `required` makes the serialiser throw when one is missing), and
 * the web app reads the answers as the services build them. Request schemas keep their
 * own `required`.
 */
function requireResponseProperties(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const s of schema) requireResponseProperties(s);
    return;
  }
  if (!isSchema(schema)) return;
  if (isSchema(schema.properties)) {
    schema.required ??= Object.keys(schema.properties);
    for (const p of Object.values(schema.properties)) requireResponseProperties(p);
  }
  for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf'])
    requireResponseProperties(schema[key]);
}

/** The text of {@link API_TYPES_FILE} for the current route schemas. */
export async function renderApiTypes(): Promise<string> {
  const doc = await readOpenApiDocument();
  for (const item of Object.values(doc.paths ?? {}))
    for (const operation of Object.values(item))
      if (isSchema(operation) && isSchema(operation.responses))
        for (const response of Object.values(operation.responses))
          if (isSchema(response) && isSchema(response.content))
            for (const media of Object.values(response.content))
              if (isSchema(media)) requireResponseProperties(media.schema);
  const ast = await openapiTS(doc, { alphabetize: true, silent: true });
  return HEADER + astToString(ast);
}

/** The committed text of {@link API_TYPES_FILE}, or null when it is missing. */
export function readCommittedApiTypes(): string | null {
  try {
    return readFileSync(API_TYPES_FILE, 'utf8');
  } catch {
    return null;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = await renderApiTypes();
  const changed = readCommittedApiTypes() !== text;
  if (changed) writeFileSync(API_TYPES_FILE, text);
  console.log(`${changed ? 'wrote' : 'unchanged:'} ${API_TYPES_FILE}`);
}
