import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { CaseView } from '../cases/index.ts';
import { defaultModulesDir, loadModules, type ModuleRegistry } from '../kernel/index.ts';
import { caseToIssueReporting, caseToServiceRequestEntity } from './smart-data-models.ts';

const standards = [
  path.resolve(import.meta.dirname, '../../../shared/standards'),
  '/work/shared/standards',
].find((d) => {
  try {
    readFileSync(path.join(d, 'README.md'));
    return true;
  } catch {
    return false;
  }
})!;
const schema = (model: string) =>
  JSON.parse(readFileSync(path.join(standards, 'smart-data-models', model, 'schema.json'), 'utf8'));

/**
 * The shipped schemas reference the remote common schema; tests cannot fetch it, so this
 * stub states the constraints of the definitions they use (NGSI-LD id, GeoJSON location,
 * ISO date-times, e-mail, person names).
 */
const COMMON = {
  $id: 'https://smart-data-models.github.io/data-models/common-schema.json',
  definitions: {
    'GSMA-Commons': {
      type: 'object',
      properties: {
        id: { type: 'string', pattern: '^urn:ngsi-ld:[A-Za-z0-9_-]+:\\S+$' },
        dateCreated: { type: 'string', format: 'date-time' },
        dateModified: { type: 'string', format: 'date-time' },
        name: { type: 'string' },
        description: { type: 'string' },
        source: { type: 'string' },
      },
    },
    'Location-Commons': {
      type: 'object',
      properties: {
        location: {
          type: 'object',
          required: ['type', 'coordinates'],
          properties: {
            type: { enum: ['Point'] },
            coordinates: {
              type: 'array',
              minItems: 2,
              maxItems: 2,
              prefixItems: [
                { type: 'number', minimum: -180, maximum: 180 },
                { type: 'number', minimum: -90, maximum: 90 },
              ],
            },
          },
        },
      },
    },
    email: { type: 'string', format: 'email' },
    'Person-Commons': {
      properties: {
        person: {
          properties: {
            givenName: { type: 'string' },
            familyName: { type: 'string' },
            telephone: { type: 'string' },
          },
        },
      },
    },
  },
};

const view = (over: Partial<CaseView> = {}): CaseView => ({
  id: '6f1c7a8e-1111-4222-8333-944455556666',
  number: '2026030200017',
  channel: 'open311',
  clientRequestId: null,
  category: 'CM.E.01.03',
  urgency: 'normal',
  state: 'dispatched',
  resumeState: null,
  version: 3,
  location: { lat: 30.2431, lon: 120.1512, address: '澜湖市人民路 12 号' },
  divisions: { grid: '33010200100101', community: '330102001001', street: '330102001', district: '330102' },
  description: '路边有人乱倒建筑垃圾',
  media: ['https://img.example.cn/a.jpg'],
  leadDepartment: 'sanitation',
  assistDepartments: [],
  responsibility: { ruleId: null, listVersion: '1', override: false },
  escalationLevel: 'department',
  light: 'green',
  stage: null,
  deadlines: { handle: '2026-03-09T09:00:00.000Z' },
  extension: null,
  satisfaction: null,
  links: { mergedInto: null, duplicateOf: null, parentAlertId: null },
  duplicateCandidates: [],
  reporters: [
    {
      name: '王小明',
      phone: '13812345678',
      email: 'w@example.cn',
      address: null,
      consent: true,
      sourceCaseId: 'x',
    },
  ],
  reportedAt: '2026-03-02T01:00:00.000Z',
  updatedAt: '2026-03-02T02:00:00.000Z',
  closedAt: null,
  ...over,
});

// ajv and ajv-formats are CommonJS: their default export sits under `default` in ESM.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

describe('Smart Data Models mapping', () => {
  let modules: ModuleRegistry;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(COMMON);
  const serviceRequests = ajv.compile(schema('service_requests'));
  const issueReporting = ajv.compile(schema('IssueReporting'));
  before(async () => {
    modules = await loadModules(defaultModulesDir, 'all', {
      coreDepartments: ['supervision-center', 'command-center'],
    });
  });

  it('service_requests validates against the shipped schema, in every state', () => {
    for (const state of ['reported', 'dispatched', 'closed', 'rejected'] as const) {
      const e = caseToServiceRequestEntity(view({ state }), {
        modules,
        agencyName: '环卫处',
        jurisdictionId: 'lanhu.gov.cn',
        timeZone: 'Asia/Shanghai',
      });
      assert.ok(serviceRequests(e), ajv.errorsText(serviceRequests.errors));
      assert.equal(e.status, state === 'closed' || state === 'rejected' ? 'closed' : 'open');
    }
    const e = caseToServiceRequestEntity(view(), {
      modules,
      agencyName: '环卫处',
      timeZone: 'Asia/Shanghai',
    });
    assert.equal(e.id, 'urn:ngsi-ld:service_requests:2026030200017');
    assert.equal(e.type, 'service_requests');
    assert.equal(e.service_request_id, '2026030200017');
    assert.equal(e.service_name, '乱倒乱扔垃圾');
    assert.equal(e.agency_responsible, '环卫处');
    assert.equal(e.requested_datetime, '2026-03-02T09:00:00+08:00');
    assert.equal(e.expected_datetime, '2026-03-09T17:00:00+08:00');
    assert.deepEqual(e.location, { type: 'Point', coordinates: [120.1512, 30.2431] });
    assert.equal(e.media_url, 'https://img.example.cn/a.jpg');
    // No personal data of the reporter.
    const text = JSON.stringify(e);
    for (const pii of ['王小明', '13812345678', 'w@example.cn']) assert.ok(!text.includes(pii), pii);
    assert.equal(e.email, undefined);
  });

  it('IssueReporting validates against the shipped schema and maps the resolution status', () => {
    const expected: Record<string, string> = {
      reported: 'Unassigned',
      filed: 'Open',
      dispatched: 'Assigned',
      in_progress: 'InProgress',
      handled: 'InProgress',
      closed: 'Closed.',
      evaluated: 'Closed.',
    };
    for (const [state, status] of Object.entries(expected)) {
      const e = caseToIssueReporting(view({ state: state as CaseView['state'] }), {
        modules,
        timeZone: 'Asia/Shanghai',
      });
      assert.ok(issueReporting(e), ajv.errorsText(issueReporting.errors));
      assert.equal(e.resolutionStatus, status);
    }
    const e = caseToIssueReporting(view(), { modules, lang: 'en' });
    assert.equal(e.id, 'urn:ngsi-ld:IssueReporting:2026030200017');
    assert.equal(e.category, 'City appearance and sanitation');
    assert.equal(e.categoryCode, 'CM.E.01');
    assert.equal(e.subCategory, 'Illegal dumping');
    assert.equal(e.subCategoryCode, 'CM.E.01.03');
    assert.equal(e.departmentId, 'sanitation');
    assert.equal(e.wardId, '330102');
    assert.equal(e.observationDateTime, '2026-03-02T01:00:00Z');
    assert.ok(!JSON.stringify(e).includes('13812345678'));
  });

  it('works with the case alone (no context)', () => {
    const e = caseToServiceRequestEntity(view());
    assert.ok(serviceRequests(e), ajv.errorsText(serviceRequests.errors));
    const i = caseToIssueReporting(view());
    assert.ok(issueReporting(i), ajv.errorsText(issueReporting.errors));
  });

  it('a schema-invalid entity is caught (the check can fail)', () => {
    assert.equal(serviceRequests({ ...caseToServiceRequestEntity(view()), status: 'pending' }), false);
    assert.equal(issueReporting({ ...caseToIssueReporting(view()), resolutionStatus: 'Closed' }), false);
  });
});
