/** Device keys: how they look, how they are made, and how they are stored (their hash). */
import { createHash, randomBytes } from 'node:crypto';

/** Device keys carry this prefix so the ingestion route can tell them from service API keys. */
export const DEVICE_KEY_PREFIX = 'ocd_';

/** SHA-256 of a device key, as stored. */
export const deviceKeyHash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** A new key, the prefix shown in lists, and the hash that is stored. */
export function newDeviceKey(): { key: string; prefix: string; hash: string } {
  const key = `${DEVICE_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: deviceKeyHash(key) };
}
