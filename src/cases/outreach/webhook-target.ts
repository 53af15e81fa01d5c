/**
 * Where webhooks may go: unless `WEBHOOK_ALLOW_PRIVATE_TARGETS` is set, a target must be a
 * public address, checked when the webhook is registered (here) and again on every delivery,
 * on the address actually connected to (the kernel's `postToPublicAddress`).
 */
import { findNonPublicAddress, InvalidInputError, type ResolveAll } from '../../kernel/index.ts';

/**
 * Refuses a webhook URL whose host is, or resolves to, a non-public address. A name that
 * does not resolve now is accepted: each delivery resolves it again and checks then.
 */
export async function assertWebhookTarget(
  url: URL,
  allowPrivate: boolean,
  resolve?: ResolveAll,
): Promise<void> {
  if (allowPrivate) return;
  const bad = await findNonPublicAddress(url, resolve);
  if (!bad) return;
  const { host, address } = bad;
  throw new InvalidInputError(
    `Webhooks may not target ${host === address ? address : `${host} (${address})`}: a loopback, private, link-local or otherwise non-public address (WEBHOOK_ALLOW_PRIVATE_TARGETS allows them).`,
    { field: 'url' },
    'webhook.private_target',
  );
}
