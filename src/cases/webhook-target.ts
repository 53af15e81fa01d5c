/**
 * Where webhooks may go. An administrator's URL must not turn the platform into a way into
 * the city's own network (the database, the metadata service at 169.254.169.254, internal
 * admin pages), so unless `WEBHOOK_ALLOW_PRIVATE_TARGETS` is set a target must be a public
 * address: checked when the webhook is registered (the literal host, or every address its
 * name resolves to) and again on every delivery, on the address actually connected to (a
 * name may resolve elsewhere by then). Redirects are never followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { InvalidInputError } from '../kernel/index.ts';

/**
 * Addresses that are not on the public internet: unspecified, "this network", private,
 * shared (CGNAT), loopback, link-local (cloud metadata), IETF protocol, benchmarking,
 * documentation, multicast, reserved and broadcast; for IPv6 also unique-local, site-local,
 * discard-only, NAT64 and IPv4-compatible. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`)
 * are held to the IPv4 rules.
 */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    list.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['::', 96],
    ['64:ff9b::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(net, bits, 'ipv6');
  return list;
})();

/** True for an address a webhook may not reach unless private targets are allowed. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host of a URL without the brackets of an IPv6 literal. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Resolves a name to all its addresses (the edge of the world: DNS). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const resolveAll: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

function refuse(host: string, address: string): never {
  throw new InvalidInputError(
    `Webhooks may not target ${host === address ? address : `${host} (${address})`}: a loopback, private, link-local or otherwise non-public address (WEBHOOK_ALLOW_PRIVATE_TARGETS allows them).`,
    { field: 'url' },
    'webhook.private_target',
  );
}

/**
 * Refuses a webhook URL whose host is, or resolves to, a non-public address. A name that
 * does not resolve now is accepted: each delivery resolves it again and checks then.
 */
export async function assertWebhookTarget(
  url: URL,
  allowPrivate: boolean,
  resolve: ResolveAll = resolveAll,
): Promise<void> {
  if (allowPrivate) return;
  const host = hostOf(url);
  if (isIP(host)) {
    if (isPrivateAddress(host)) refuse(host, host);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return;
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) refuse(host, bad.address);
}

/** A connection-time lookup that fails when any address of the name is not public. */
function publicOnlyLookup(resolve: ResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter((a) => !options.family || a.family === options.family);
        const bad = addresses.find((a) => isPrivateAddress(a.address));
        if (bad || wanted.length === 0) {
          const err = Object.assign(
            new Error(
              bad
                ? `refused: ${hostname} resolves to the non-public address ${bad.address}`
                : `${hostname} has no address of the requested family`,
            ),
            { code: bad ? 'EPRIVATETARGET' : 'ENOTFOUND' },
          );
          return callback(err, '', 0);
        }
        if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (err) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  resolve?: ResolveAll;
}

/**
 * POSTs a delivery and answers the response status. The connection goes to an address that
 * passed the check (the lookup is the check), on a fresh socket each time so no earlier
 * check is reused; a 3xx answer is returned as is, never followed.
 */
export function postWebhook(r: WebhookRequest): Promise<number> {
  const url = new URL(r.url);
  const host = hostOf(url);
  if (!r.allowPrivate && isIP(host) && isPrivateAddress(host))
    return Promise.reject(new Error(`refused: ${host} is a non-public address`));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
        agent: false,
        signal: AbortSignal.timeout(r.timeoutMs),
        ...(r.allowPrivate ? {} : { lookup: publicOnlyLookup(r.resolve ?? resolveAll) }),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}
