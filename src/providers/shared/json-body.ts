import { isSaneTime } from '../../core/clock.js';
import { ParseError } from '../../core/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../core/json-depth.js';

/** Parse a raw JSON body, or throw a ParseError that says what is wrong. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw new ParseError('empty body');
  return parseJsonText(raw.toString('utf8'), 'body');
}

/**
 * JSON.parse with the nesting limit (MAX_JSON_DEPTH): too deep or malformed is a ParseError,
 * so a verified body becomes a dead, replayable delivery and an API caller gets a 400.
 */
export function parseJsonText(text: string, what: string): unknown {
  if (jsonTooDeep(text)) throw new ParseError(`${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ParseError(`${what} is not valid JSON: ${(err as Error).message}`);
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
