import { describe, expect, it } from 'vitest';
import { checkAllowList, sourceAllowed } from '../../../src/providers/shared/source-ips.js';

describe('source allow-lists', () => {
  it('allows every source when the list is empty', () => {
    expect(sourceAllowed([])('203.0.113.9')).toBe(true);
  });

  it('matches IPv4 ranges, single addresses and IPv4-mapped IPv6 forms', () => {
    const ok = sourceAllowed(['198.51.100.0/24', '203.0.113.7']);
    expect(ok('198.51.100.200')).toBe(true);
    expect(ok('::ffff:198.51.100.1')).toBe(true);
    expect(ok('203.0.113.7')).toBe(true);
    expect(ok('203.0.113.8')).toBe(false);
    expect(ok('198.51.101.1')).toBe(false);
  });

  it('matches IPv6 ranges and refuses what is not an address', () => {
    const ok = sourceAllowed(['2001:db8::/32']);
    expect(ok('2001:db8:1::5')).toBe(true);
    expect(ok('2001:db9::1')).toBe(false);
    expect(ok('not-an-ip')).toBe(false);
  });

  it('names the setting when an entry is not an address or range', () => {
    expect(checkAllowList('BOUNCER_X_ALLOWED_IPS', ['10.0.0.0/8', 'example.com'])).toMatch(
      /^BOUNCER_X_ALLOWED_IPS: not an IP address or CIDR range: example.com/,
    );
    expect(checkAllowList('BOUNCER_X_ALLOWED_IPS', ['10.0.0.0/8'])).toBeNull();
  });
});
