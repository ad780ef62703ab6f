import { createHmac } from 'node:crypto';
import type { Channel } from './address.js';

/**
 * A 64-bit hash of a normalised address, as two 32-bit words (an FNV-1a-style and a
 * murmur-style mix, two UTF-16 units per step), for in-memory suppression indexes: a
 * million-entry index takes one address for another about once in 10^7 million-row lists.
 * The words land in ADDRESS_HASH[0] and [1]: no allocation per address.
 */
export const ADDRESS_HASH = new Int32Array(2);

const SEED_A = { email: 0x811c9dc5, sms: 0x1b873593 } as const;
const SEED_B = { email: 0x9747b28c, sms: 0x2f3a8e51 } as const;

function finish(a: number, b: number): void {
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 13;
  b = Math.imul(b, 0x5bd1e995);
  ADDRESS_HASH[0] = a;
  ADDRESS_HASH[1] = b ^ (b >>> 15);
}

/** Hash a normalised address (channel and address as stored). */
export function hashAddress(channel: Channel, address: string): void {
  let a: number = SEED_A[channel];
  let b: number = SEED_B[channel];
  const n = address.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const k = address.charCodeAt(i) | (address.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ k, 16777619);
    b = Math.imul(b ^ k, 0x5bd1e995);
    b ^= b >>> 15;
  }
  if (i < n) {
    const k = address.charCodeAt(i) | 0x10000;
    a = Math.imul(a ^ k, 16777619);
    b = Math.imul(b ^ k, 0x5bd1e995);
  }
  finish(a, b);
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c | 32 : c);

/**
 * hashAddress('email', text.toLowerCase()) for ASCII text given as bytes[start, end): the hash
 * of a simple address (isSimpleEmailBytes) straight from the bytes it arrived in.
 */
export function hashEmailBytes(bytes: Uint8Array, start: number, end: number): void {
  let a: number = SEED_A.email;
  let b: number = SEED_B.email;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const k = lower(bytes[i]!) | (lower(bytes[i + 1]!) << 16);
    a = Math.imul(a ^ k, 16777619);
    b = Math.imul(b ^ k, 0x5bd1e995);
    b ^= b >>> 15;
  }
  if (i < end) {
    const k = lower(bytes[i]!) | 0x10000;
    a = Math.imul(a ^ k, 16777619);
    b = Math.imul(b ^ k, 0x5bd1e995);
  }
  finish(a, b);
}

/** Prefix of an address stored as a keyed hash (erased subjects, BOUNCER_PRIVACY_MODE=hashed). */
export const KEYED_PREFIX = 'hmac:';

/**
 * The keyed hash stored in place of an address: HMAC-SHA-256 under BOUNCER_ADDRESS_PEPPER of
 * channel and normalised address. Keyed, so the list of hashes cannot be reversed by hashing a
 * dictionary of addresses without the pepper; deterministic, so a check still finds the row.
 */
export function keyedAddress(pepper: string, channel: Channel, address: string): string {
  return KEYED_PREFIX + createHmac('sha256', pepper).update(`${channel}:${address}`).digest('hex');
}

export function isKeyedAddress(stored: string): boolean {
  return stored.startsWith(KEYED_PREFIX);
}
