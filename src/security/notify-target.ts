// Where a session's notifyUrl may point. Anyone who may start a workflow chooses that URL and the worker POSTs to
// it, so by default it may not reach the worker's own machine or network: loopback, link-local (cloud metadata at
// 169.254.169.254 included), private, shared (CGNAT, Alibaba's metadata), unspecified, multicast and reserved
// addresses are refused, after DNS resolution (a public name can resolve to 127.0.0.1) and again at connect time
// (so a name that resolves differently the second time gains nothing). HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE=1 lifts it.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';

export const ALLOW_PRIVATE_VARIABLE = 'HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE';

const RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local / cloud metadata'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT) / cloud metadata'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fc00::', 7, 'ipv6', 'private (unique local) / cloud metadata'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  ['64:ff9b:1::', 48, 'ipv6', 'reserved'],
];

const blocks = RANGES.map(([network, prefix, type, label]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, label };
});

/** Why an address may not receive notices (e.g. "loopback"), or undefined when it may. */
export function blockedReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  let type: 'ipv4' | 'ipv6' = isIP(bare) === 6 ? 'ipv6' : 'ipv4';
  let ip = bare;
  // IPv4-mapped and IPv4-compatible IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) are judged as the IPv4 address.
  const mapped = /^::(ffff:)?((\d+\.){3}\d+)$/i.exec(bare);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (mapped) [ip, type] = [mapped[2]!, 'ipv4'];
  else if (mappedHex) {
    const n = (parseInt(mappedHex[1]!, 16) << 16) | parseInt(mappedHex[2]!, 16);
    [ip, type] = [[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4'];
  }
  return blocks.find((b) => b.list.check(ip, type))?.label;
}

export class NotifyTargetRefused extends Error {
  override name = 'NotifyTargetRefused';
}

const resolveAll = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** Throws NotifyTargetRefused naming the host, the address and why, when the URL may not receive notices. */
export async function checkNotifyTarget(url: string): Promise<void> {
  const { hostname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await resolveAll(host)).map((a) => a.address);
  for (const address of addresses) {
    const why = blockedReason(address);
    if (why)
      throw new NotifyTargetRefused(
        `notifyUrl host ${hostname} ${address === host ? 'is' : `resolves to ${address}, which is`} a ${why} address: notices go only to public addresses unless the worker sets ${ALLOW_PRIVATE_VARIABLE}=1`,
      );
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dispatcher that connects only to addresses `blockedReason` allows (re-checked at connect time). */
export function publicOnlyDispatcher(): Agent {
  return new Agent({
    connect: {
      lookup(hostname: string, options: { all?: boolean }, callback: LookupCallback) {
        resolveAll(hostname).then(
          (addresses) => {
            const bad = addresses.find((a) => blockedReason(a.address));
            if (bad)
              return callback(
                new NotifyTargetRefused(
                  `${hostname} resolves to ${bad.address}, a ${blockedReason(bad.address)} address`,
                ),
                [],
              );
            if (options.all) return callback(null, addresses);
            callback(null, addresses[0]!.address, addresses[0]!.family);
          },
          (err: NodeJS.ErrnoException) => callback(err, []),
        );
      },
    } as never,
  });
}
