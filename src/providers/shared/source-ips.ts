import { BlockList, isIP } from 'node:net';

/**
 * A matcher for a provider's source allow-list (`BOUNCER_<PROVIDER>_ALLOWED_IPS`): CIDR ranges
 * or single addresses, IPv4 and IPv6 (an IPv4-mapped IPv6 address matches its IPv4 range). An
 * empty list allows every source. The address is Fastify's `request.ip`, so behind a proxy it is
 * only as trustworthy as the proxy setting (docs/security.md).
 */
export function sourceAllowed(entries: readonly string[]): (ip: string) => boolean {
  if (entries.length === 0) return () => true;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.trim().split('/');
    const family = isIP(addr);
    if (family === 0) throw new Error(`not an IP address or CIDR range: ${entry}`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    const addr = v4 ?? ip;
    const family = isIP(addr);
    if (family === 0) return false;
    return list.check(addr, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** Parse an allow-list setting at start-up; the message names the setting. */
export function checkAllowList(setting: string, entries: readonly string[]): string | null {
  try {
    sourceAllowed(entries);
    return null;
  } catch (err) {
    return `${setting}: ${(err as Error).message}`;
  }
}
