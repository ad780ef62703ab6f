import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../../core/errors.js';
import {
  validateSigningCertUrl,
  validateSubscribeUrl,
  type SnsCertificateSource,
} from '../../providers/ses/sns-signature.js';

/**
 * The I/O half of SNS verification (spec A §3.4, §3.10): where signing certificates come from,
 * and visiting a SubscribeURL. The pure checks live in `providers/sns-signature.ts`.
 */

export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal; redirect?: 'error' },
) => Promise<Response>;

export const SNS_FETCH_TIMEOUT_MS = 5_000;
/** Certificates kept per URL; AWS rotates them about yearly, so a handful are ever live. */
export const SNS_CERT_CACHE_ENTRIES = 32;
/** An SNS signing certificate is about 2 KB; anything far larger is not one. */
const MAX_CERT_BYTES = 64 * 1024;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface FetchingSnsCertificateSource extends SnsCertificateSource {
  /** The PEM served at `certUrl`, or null when that URL serves no certificate (404, not PEM). */
  get(certUrl: string): Promise<string | null>;
}

function unavailable(message: string, cause?: unknown): AppError {
  return new AppError('BOUNCER_ERR_UNAVAILABLE', message, { cause });
}

function isCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

async function download(
  fetchFn: FetchLike,
  url: string,
  timeoutMs: number,
): Promise<string | null> {
  let res: Response;
  try {
    // No redirects: the certificate must come from the validated SNS host itself.
    res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (cause) {
    throw unavailable('SNS signing certificate could not be fetched', cause);
  }
  if (res.status >= 500 || res.status === 429)
    throw unavailable(`SNS signing certificate fetch answered HTTP ${res.status}`);
  if (res.status !== 200) return null;
  let text: string;
  try {
    text = await res.text();
  } catch (cause) {
    throw unavailable('SNS signing certificate could not be read', cause);
  }
  if (text.length > MAX_CERT_BYTES) return null;
  const pem = text.match(PEM_CERTIFICATE)?.[0];
  return pem !== undefined && isCertificate(pem) ? pem : null;
}

/**
 * Certificates fetched from the message's (re-validated) `SigningCertURL` with a timeout,
 * cached per URL; concurrent requests for one URL share one fetch. Failures are not cached.
 */
export function createFetchingSnsCertificateSource(
  opts: { fetch?: FetchLike; timeoutMs?: number; maxEntries?: number } = {},
): FetchingSnsCertificateSource {
  const fetchFn: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = opts.timeoutMs ?? SNS_FETCH_TIMEOUT_MS;
  const maxEntries = opts.maxEntries ?? SNS_CERT_CACHE_ENTRIES;
  const cache = new Map<string, Promise<string | null>>();

  function get(certUrl: string): Promise<string | null> {
    // Validated again: this source fetches whatever it is given, so it must not trust its caller.
    if (!validateSigningCertUrl(certUrl).ok) return Promise.resolve(null);
    const cached = cache.get(certUrl);
    if (cached) return cached;
    const pending = download(fetchFn, certUrl, timeoutMs).then(
      (pem) => {
        if (pem === null) cache.delete(certUrl);
        return pem;
      },
      (err: unknown) => {
        cache.delete(certUrl);
        throw err;
      },
    );
    cache.set(certUrl, pending);
    // Oldest first (Map keeps insertion order): evict beyond the bound.
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    return pending;
  }

  return {
    get,
    async candidates(certUrl: string): Promise<readonly string[]> {
      const pem = await get(certUrl);
      return pem === null ? [] : [pem];
    },
  };
}

/**
 * Fixed certificates (`BOUNCER_SNS_CERT_FILES`, for hosts that cannot reach AWS): every message
 * must verify against one of these, whatever its SigningCertURL says (the URL itself is still
 * validated by the verifier). Each PEM text may hold several certificates.
 */
export function createStaticSnsCertificateSource(pems: readonly string[]): SnsCertificateSource {
  const certificates = pems.flatMap((pem) => pem.match(PEM_CERTIFICATE) ?? []);
  if (certificates.length === 0 || !certificates.every(isCertificate)) {
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_SNS_CERT_FILES: no valid PEM certificate found',
    );
  }
  return { candidates: async () => certificates };
}

/** Reads `BOUNCER_SNS_CERT_FILES` (paths) once at startup. */
export async function loadSnsCertificateFiles(
  paths: readonly string[],
): Promise<SnsCertificateSource> {
  const pems: string[] = [];
  for (const path of paths) {
    try {
      pems.push(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new AppError('BOUNCER_ERR_CONFIG', `BOUNCER_SNS_CERT_FILES: cannot read ${path}`, {
        cause,
      });
    }
  }
  return createStaticSnsCertificateSource(pems);
}

/**
 * Confirms an SNS subscription by GETting its SubscribeURL (§3.10), only after the URL passes
 * the same checks as in the adapter: `https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription`
 * for a topic of that region. Returns the SubscriptionArn from the XML answer when present.
 */
export async function confirmSnsSubscription(
  subscribeUrl: string,
  fetchFn: FetchLike = (url, init) => fetch(url, init),
  timeoutMs = SNS_FETCH_TIMEOUT_MS,
): Promise<{ subscriptionArn: string | null }> {
  let topicArn = '';
  try {
    topicArn = new URL(subscribeUrl).searchParams.get('TopicArn') ?? '';
  } catch {
    // validateSubscribeUrl below names the problem.
  }
  const valid = validateSubscribeUrl(subscribeUrl, topicArn);
  if (!valid.ok)
    throw new AppError('BOUNCER_ERR_VALIDATION', `SubscribeURL refused: ${valid.reason}`);
  let res: Response;
  try {
    res = await fetchFn(subscribeUrl, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (cause) {
    throw unavailable('SNS subscription confirmation failed', cause);
  }
  if (res.status >= 400 && res.status < 500) {
    throw new AppError(
      'BOUNCER_ERR_VALIDATION',
      `SNS refused the subscription confirmation (HTTP ${res.status})`,
    );
  }
  if (!res.ok) throw unavailable(`SNS subscription confirmation answered HTTP ${res.status}`);
  const xml = await res.text().catch(() => '');
  return { subscriptionArn: /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(xml)?.[1] ?? null };
}
