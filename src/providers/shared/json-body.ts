import { isSaneTime } from '../../core/clock.js';
import { ParseError } from '../../core/errors.js';

/** Parse a raw JSON body, or throw a ParseError that says what is wrong. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw new ParseError('empty body');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ParseError(`body is not valid JSON: ${(err as Error).message}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Epoch ms from an ISO-8601 string, epoch seconds or epoch ms; `fallback` when absent or bad. */
export function toEpochMs(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const ms = Math.round(value > 1e12 ? value : value * 1_000);
    // Outside 1970–9999 (a Date, a bigint column, a four-digit ISO year): treated as bad.
    return isSaneTime(ms) ? ms : fallback;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return toEpochMs(Number(value), fallback);
    const t = Date.parse(value);
    if (isSaneTime(t)) return t;
  }
  return fallback;
}
