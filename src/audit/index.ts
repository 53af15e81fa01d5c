/**
 * The audit trail: an append-only, hash-chained record of every state change, with its
 * verification. Other capabilities import only from here.
 */
import type { Capability } from '../kernel/index.ts';
import { auditMigrations } from './audit-chain.ts';
import { type AuditRouteGuard, registerAuditRoutes } from './audit-routes.ts';

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
export type { AuditPermission, AuditRouteGuard } from './audit-routes.ts';

/** The audit chain: its table, below identity, which appends to it like every capability above. */
export const auditCapability: Capability = {
  name: 'audit',
  migrations: auditMigrations,
  create: () => ({}),
};

/**
 * The auditors' API, guarded by `requirePermission` (identity's, passed in by the composition
 * root): the audit capability imports nothing from identity, which sits above it.
 */
export function createAuditApiCapability(requirePermission: AuditRouteGuard): Capability {
  return {
    name: 'audit-api',
    create: ({ kernel }) => ({
      routes(app) {
        registerAuditRoutes(app, kernel, requirePermission);
      },
    }),
  };
}
