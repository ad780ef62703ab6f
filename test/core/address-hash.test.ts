import { describe, expect, it } from 'vitest';
import { ADDRESS_HASH, hashAddress, hashEmailBytes } from '../../src/core/address-hash.js';

const hashOf = (channel: 'email' | 'sms', address: string): [number, number] => {
  hashAddress(channel, address);
  return [ADDRESS_HASH[0]!, ADDRESS_HASH[1]!];
};
const hashOfBytes = (text: string): [number, number] => {
  const bytes = Buffer.from(`xx${text}yy`, 'latin1');
  hashEmailBytes(bytes, 2, bytes.length - 2);
  return [ADDRESS_HASH[0]!, ADDRESS_HASH[1]!];
};

describe('address hashes', () => {
  it('hash the bytes of an address as its lower-cased string, for odd and even lengths', () => {
    for (const text of [
      'a@b.io',
      'ab@b.io',
      'John.Doe@Example.COM',
      "O'Brien+X@Mail.Example.org",
      'x',
      '',
    ]) {
      expect(hashOfBytes(text)).toEqual(hashOf('email', text.toLowerCase()));
    }
  });

  it('separate channels, cases and near neighbours', () => {
    expect(hashOf('email', '+15551234567')).not.toEqual(hashOf('sms', '+15551234567'));
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(hashOf('email', `user${i}@example.com`).join(':'));
    expect(seen.size).toBe(100_000);
    expect(hashOf('email', 'ab@c.io')).not.toEqual(hashOf('email', 'ba@c.io'));
  });
});
