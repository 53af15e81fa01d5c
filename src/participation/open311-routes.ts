/**
 * HTTP face of GeoReport v2 under `/open311/v2/`. Every method exists in `.json` and
 * `.xml`; POST takes `application/x-www-form-urlencoded` as the specification says (JSON
 * bodies are accepted too). Handlers parse the path, check the jurisdiction, call one
 * service and send the document in the asked format.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasPermission, routeAccess } from '../identity/index.ts';
import { NotFoundError } from '../kernel/index.ts';
import { type Open311Format, open311ServiceSchema, sendOpen311 } from './open311-documents.ts';
import { negotiateLanguage, listServices, serviceDefinition } from './open311-services.ts';
import type { Participation } from './participation-context.ts';
import { open311Submission, principalOfApiKey, resolvePoster, submitReport } from './report-intake.ts';
import type { ReportWriter } from './report-store.ts';
import {
  findRequest,
  findRequests,
  findToken,
  type RequestQuery,
  type RequestView,
} from './request-queries.ts';

const FORMATS: readonly Open311Format[] = ['json', 'xml'];
export const OPEN311_SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When the endpoint list last changed. */
export const DISCOVERY_CHANGESET = '2026-03-01T00:00:00+08:00';

type Params = Record<string, unknown>;

/** `CM.E.01.02.json` → [`CM.E.01.02`, json]; NotFound for another extension. */
export function splitFile(file: string): [string, Open311Format] {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new NotFoundError(`Ask for ${file}.json or ${file}.xml.`, 'open311.format_unknown');
  return [decodeURIComponent(m[1]), m[2] as Open311Format];
}

/** Checks `jurisdiction_id` when given: this endpoint serves one jurisdiction (404 for another). */
export function checkJurisdiction(p: Participation, params: Params): void {
  const j = params.jurisdiction_id;
  if (j === undefined || j === '') return;
  if (j !== p.settings.jurisdictionId)
    throw new NotFoundError(
      `jurisdiction_id ${String(j)} was not found; this endpoint serves ${p.settings.jurisdictionId}.`,
      'open311.jurisdiction_not_found',
    );
}

export const baseUrlOf = (p: Participation, request: FastifyRequest) =>
  p.settings.publicBaseUrl ?? `${request.protocol}://${request.host}`;

const apiKeyOf = (request: FastifyRequest): string | undefined => {
  const fromQuery = (request.query as Params).api_key;
  const fromBody = (request.body as Params | undefined)?.api_key;
  const header = request.headers['x-api-key'];
  const key = [fromBody, fromQuery, header].find((k) => typeof k === 'string' && k !== '');
  return key as string | undefined;
};

/** How a GET shows requests: exact location only for keys that may read cases. */
async function viewOf(p: Participation, request: FastifyRequest): Promise<RequestView> {
  const lang = negotiateLanguage(request.headers['accept-language']);
  const key = apiKeyOf(request);
  let exact = false;
  if (key) {
    exact = hasPermission(await principalOfApiKey(p, key), 'case.read');
  }
  return { lang, exact, baseUrl: baseUrlOf(p, request) };
}

/** Registers the Open311 routes in their own scope (form bodies are parsed only here). */
export function registerOpen311Routes(
  app: FastifyInstance,
  p: () => Participation,
  writer: () => ReportWriter,
  onQueued: () => void,
): void {
  app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    const tags = ['open311'];
    const get = (
      url: string,
      summary: string,
      handler: (request: FastifyRequest, reply: FastifyReply) => unknown,
      response?: Record<number, unknown>,
    ) =>
      scope.get(
        url,
        {
          config: routeAccess('public'),
          schema: { tags, summary, hide: url.includes('.xml'), ...(response ? { response } : {}) },
        },
        handler as never,
      );

    for (const fmt of FORMATS) {
      get(`/open311/v2/discovery.${fmt}`, 'GeoReport v2 discovery', async (request, reply) => {
        const base = baseUrlOf(p(), request);
        return sendOpen311(reply, 'discovery', fmt, {
          changeset: DISCOVERY_CHANGESET,
          contact: p().settings.contact,
          key_service: `${base}/api/v1/identity/api-keys (issued by the city's administrators)`,
          endpoints: [
            {
              specification: OPEN311_SPECIFICATION,
              url: `${base}/open311/v2`,
              changeset: DISCOVERY_CHANGESET,
              type: 'production',
              formats: ['text/xml', 'application/json'],
            },
          ],
        });
      });

      get(
        `/open311/v2/services.${fmt}`,
        'GeoReport v2 service list',
        async (request, reply) => {
          checkJurisdiction(p(), request.query as Params);
          const lang = negotiateLanguage(request.headers['accept-language']);
          return sendOpen311(reply, 'services', fmt, listServices(p().kernel.modules, lang));
        },
        fmt === 'json' ? { 200: { type: 'array', items: open311ServiceSchema } } : undefined,
      );

      get(`/open311/v2/requests.${fmt}`, 'GeoReport v2 service requests', async (request, reply) => {
        const q = request.query as Params;
        checkJurisdiction(p(), q);
        const view = await viewOf(p(), request);
        return sendOpen311(reply, 'service_requests', fmt, await findRequests(p(), q as RequestQuery, view));
      });

      scope.post(
        `/open311/v2/requests.${fmt}`,
        {
          config: routeAccess('public'),
          bodyLimit: p().settings.postBodyLimitBytes,
          schema: { tags, summary: 'GeoReport v2 create service request', hide: fmt === 'xml' },
        },
        async (request, reply) => {
          const params = { ...(request.query as Params), ...((request.body as Params | undefined) ?? {}) };
          checkJurisdiction(p(), params);
          const submission = open311Submission(params);
          const poster = await resolvePoster(p(), apiKeyOf(request));
          const r = await submitReport(p(), writer(), poster, submission, request.ip, onQueued);
          const body = r.case
            ? { service_request_id: r.case.number, service_notice: r.serviceNotice, account_id: r.accountId }
            : { token: r.token, service_notice: r.serviceNotice, account_id: r.accountId };
          return sendOpen311(reply, 'service_requests', fmt, [body]);
        },
      );
    }

    get(
      '/open311/v2/services/:file',
      'GeoReport v2 service definition (code.json or code.xml)',
      async (request, reply) => {
        const [code, fmt] = splitFile((request.params as { file: string }).file);
        checkJurisdiction(p(), request.query as Params);
        const lang = negotiateLanguage(request.headers['accept-language']);
        return sendOpen311(
          reply,
          'service_definition',
          fmt,
          serviceDefinition(p().kernel.modules, code, lang),
        );
      },
    );

    for (const prefix of ['requests', 'request'])
      get(
        `/open311/v2/${prefix}/:file`,
        'GeoReport v2 one service request (id.json or id.xml)',
        async (request, reply) => {
          const [id, fmt] = splitFile((request.params as { file: string }).file);
          checkJurisdiction(p(), request.query as Params);
          const view = await viewOf(p(), request);
          return sendOpen311(reply, 'service_requests', fmt, [await findRequest(p(), id, view)]);
        },
      );

    get('/open311/v2/tokens/:file', 'GeoReport v2 request id from a token', async (request, reply) => {
      const [token, fmt] = splitFile((request.params as { file: string }).file);
      checkJurisdiction(p(), request.query as Params);
      return sendOpen311(reply, 'service_requests', fmt, [await findToken(p(), token)]);
    });
  });
}
