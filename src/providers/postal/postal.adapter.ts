import { verify as rsaVerify, type KeyObject } from 'node:crypto';
import { parseJsonBody } from '../shared/json-body.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';
import { mapPostalEvent } from './postal.events.js';

export interface PostalAdapterOptions {
  publicKeys: readonly KeyObject[];
  allowSha1: boolean;
}

export interface PostalAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function anyKeyVerifies(
  algorithm: 'sha256' | 'sha1',
  rawBody: Buffer,
  signature: string,
  keys: readonly KeyObject[],
): boolean {
  const sig = Buffer.from(signature, 'base64');
  let ok = false;
  // Every key is tried (no early exit): which key matched does not show in the timing.
  for (const key of keys) {
    try {
      ok = rsaVerify(algorithm, rawBody, key, sig) || ok;
    } catch {
      // A signature of the wrong length for this key's modulus: not this key.
    }
  }
  return ok;
}

/**
 * `POST /webhooks/postal` (spec §2.2): RSA PKCS#1 v1.5 over the raw body, `X-Postal-Signature-256`
 * (SHA-256, Postal ≥ 3.2) or, from older servers, only `X-Postal-Signature` (SHA-1). When the
 * SHA-256 header is present it alone decides: a failing SHA-256 never falls back to SHA-1. The
 * keys come from configuration; the request's `X-Postal-Signature-KID` names nothing we fetch.
 */
export function createPostalAdapter(opts: PostalAdapterOptions): PostalAdapter {
  return {
    name: 'postal',

    verify(req) {
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      const s256 = req.headers['x-postal-signature-256']?.trim();
      const s1 = req.headers['x-postal-signature']?.trim();
      if (s256) {
        if (!BASE64.test(s256))
          return { ok: false, reason: 'X-Postal-Signature-256 is not base64' };
        return anyKeyVerifies('sha256', req.rawBody, s256, opts.publicKeys)
          ? { ok: true }
          : { ok: false, reason: 'X-Postal-Signature-256 does not verify with any configured key' };
      }
      if (!s1)
        return { ok: false, reason: 'missing X-Postal-Signature-256 and X-Postal-Signature' };
      if (!opts.allowSha1)
        return {
          ok: false,
          reason: 'SHA-1-only signature refused (BOUNCER_POSTAL_ALLOW_SHA1=false)',
        };
      if (!BASE64.test(s1)) return { ok: false, reason: 'X-Postal-Signature is not base64' };
      return anyKeyVerifies('sha1', req.rawBody, s1, opts.publicKeys)
        ? { ok: true }
        : { ok: false, reason: 'X-Postal-Signature does not verify with any configured key' };
    },

    parse(req): AdapterResult {
      return mapPostalEvent(parseJsonBody(req.rawBody), req.receivedAt);
    },
  };
}
