/**
 * The audit trail: an append-only, hash-chained record of every state change, with its
 * verification. Other capabilities import only from here.
 */
import type { Capability } from '../kernel/index.ts';
import { auditMigrations } from './audit-chain.ts';
import { registerAuditRoutes } from './audit-routes.ts';

export {
  type AuditAnchor,
  type AuditEntry,
  type AuditRecord,
  type AuditVerification,
  appendAudit,
  appendAuditBatch,
  auditHead,
  auditMigrations,
  canonicalJson,
  digestOf,
  GENESIS_HASH,
  hashRecord,
  verifyAuditChain,
} from './audit-chain.ts';
export { type AuditQuery, listAudit } from './audit-query.ts';

/** The audit capability: its table, the auditors' API. */
export const auditCapability: Capability = {
  name: 'audit',
  migrations: auditMigrations,
  routes(app, kernel) {
    registerAuditRoutes(app, kernel);
  },
};
