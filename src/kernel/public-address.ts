/**
 * Outbound requests to addresses a caller chose (admin webhooks, NGSI-LD notification
 * endpoints) must not turn the platform into a way into the city's own network (the
 * database, the metadata service at 169.254.169.254, internal admin pages). Here: which
 * addresses are public, a check of a URL's host (the literal address, or every address its
 * name resolves to), and a POST whose connection's own lookup is the check, so the address
 * connected to is the one checked (a name may resolve elsewhere by then). Redirects are
 * never followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

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

/** True for an address that is not on the public internet (or is not an IP address). */
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

/** A URL's host that is, or resolves to, a non-public address. */
export interface NonPublicTarget {
  /** The host as written in the URL (an IPv6 literal without brackets). */
  host: string;
  /** The non-public address: the host itself or one its name resolves to. */
  address: string;
}

/**
 * The non-public address a URL's host is or resolves to, or null when every address is
 * public. A name that does not resolve now yields null: each request through
 * {@link postToPublicAddress} resolves it again and checks then.
 */
export async function findNonPublicAddress(
  url: URL,
  resolve: ResolveAll = resolveAll,
): Promise<NonPublicTarget | null> {
  const host = hostOf(url);
  if (isIP(host)) return isPrivateAddress(host) ? { host, address: host } : null;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return null;
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? { host, address: bad.address } : null;
}

/**
 * A connection-time lookup through `resolve` that, unless `allowPrivate`, fails when any
 * address of the name is not public.
 */
function checkedLookup(resolve: ResolveAll, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter((a) => !options.family || a.family === options.family);
        const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
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

/** A POST to a URL a caller chose. */
export interface PublicPostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The whole exchange up to the response's status line is abandoned after this long. */
  timeoutMs: number;
  /** Skip the check (settings such as `WEBHOOK_ALLOW_PRIVATE_TARGETS`). */
  allowPrivate: boolean;
  /** DNS answers (default: the system resolver); tests give their own. */
  resolve?: ResolveAll;
}

/**
 * POSTs a body and answers the response status. Unless `allowPrivate`, the connection goes
 * to an address that passed the check (the lookup is the check), on a fresh socket each time
 * so no earlier check is reused; a refusal rejects with a message starting "refused:". A 3xx
 * answer is returned as is, never followed.
 */
export function postToPublicAddress(r: PublicPostRequest): Promise<number> {
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
        // Allowed private targets with the system resolver keep Node's own lookup.
        ...(r.allowPrivate && !r.resolve
          ? {}
          : { lookup: checkedLookup(r.resolve ?? resolveAll, r.allowPrivate) }),
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
