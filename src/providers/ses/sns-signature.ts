import { jsonTooDeep } from '../../core/json-depth.js';
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';

/**
 * The pure half of Amazon SNS message verification (spec A §3.2–§3.4, §3.10): envelope shape,
 * string to sign, certificate URL and subscribe URL rules, certificate checks and the RSA
 * signature. Fetching certificates is I/O and lives in `services/sns-certificates.ts`.
 */

export const SNS_MESSAGE_TYPES = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

export interface SnsEnvelope {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

/**
 * Where the verifier gets PEM certificates for a message's `SigningCertURL`. The verifier tries
 * each candidate, so a source may return the one certificate fetched from AWS for that URL, or a
 * fixed set of operator-supplied certificates whatever the URL says (`BOUNCER_SNS_CERT_FILES`).
 * An empty list means "no certificate": verification fails. A source throws only when it cannot
 * answer right now (network down), which is the caller's 503, not a 401.
 */
export interface SnsCertificateSource {
  candidates(certUrl: string): Promise<readonly string[]>;
}

export type SnsCheck<T = object> = ({ ok: true } & T) | { ok: false; reason: string };

// §3.3: signed keys per type, in this (byte) order; a key is included only when present.
const SIGNED_KEYS: Readonly<Record<SnsMessageType, readonly (keyof SnsEnvelope)[]>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
};
const COMMON_REQUIRED = [
  'Type',
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
] as const;
const HANDSHAKE_REQUIRED = ['SubscribeURL', 'Token'] as const;

const SNS_HOST = /^sns\.([a-z0-9-]{3,})\.amazonaws\.com(\.cn)?$/;
const TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;

// §3.4 (aws-sdk-java-v2 SnsHostProvider): regions whose signing certificate is not issued to
// `sns.amazonaws.com`. The default name is accepted too, so a region missing here still works.
const SNS_SIGNING_REGIONS = new Set([
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'me-south-1',
  'me-central-1',
  'eu-south-1',
  'eu-south-2',
  'eu-central-2',
  'af-south-1',
  'il-central-1',
  'ca-west-1',
  'mx-central-1',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The SNS envelope of a request body, with every field its type requires (§3.2). */
export function parseSnsEnvelope(rawBody: Buffer): SnsCheck<{ envelope: SnsEnvelope }> {
  if (rawBody.length === 0) return { ok: false, reason: 'empty body' };
  const text = rawBody.toString('utf8');
  if (jsonTooDeep(text)) return { ok: false, reason: 'body nests too deep' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (!isObject(body)) return { ok: false, reason: 'body is not a JSON object' };
  if (
    body.Type === undefined &&
    (body.notificationType !== undefined || body.eventType !== undefined)
  ) {
    // §3.1: raw message delivery strips the envelope and with it the signature.
    return {
      ok: false,
      reason: 'unsigned SES payload: raw message delivery is enabled on the subscription',
    };
  }
  if (!(SNS_MESSAGE_TYPES as readonly unknown[]).includes(body.Type))
    return { ok: false, reason: 'unknown SNS message type' };
  const type = body.Type as SnsMessageType;
  const required: readonly string[] =
    type === 'Notification' ? COMMON_REQUIRED : [...COMMON_REQUIRED, ...HANDSHAKE_REQUIRED];
  for (const field of required) {
    if (typeof body[field] !== 'string' || body[field] === '')
      return { ok: false, reason: `missing ${field}` };
  }
  if (body.SignatureVersion !== '1' && body.SignatureVersion !== '2')
    return { ok: false, reason: 'unsupported SignatureVersion' };
  // Lambda-style deliveries carry `Subject: null`; it is then not part of the signed string.
  if (body.Subject !== undefined && body.Subject !== null && typeof body.Subject !== 'string') {
    return { ok: false, reason: 'Subject is not a string' };
  }
  const envelope = { ...body } as unknown as SnsEnvelope & { Subject?: string | null };
  if (envelope.Subject === null) delete envelope.Subject;
  return { ok: true, envelope };
}

/** §3.3: `Key\nValue\n` for each signed key present, in order, values as decoded by JSON. */
export function snsStringToSign(envelope: SnsEnvelope): string {
  return SIGNED_KEYS[envelope.Type]
    .filter((key) => typeof envelope[key] === 'string')
    .map((key) => `${key}\n${envelope[key]}\n`)
    .join('');
}

/** Partition, region and account of an SNS topic ARN. */
export function parseTopicArn(
  arn: string,
): SnsCheck<{ partition: string; region: string; account: string }> {
  const m = TOPIC_ARN.exec(arn);
  if (!m) return { ok: false, reason: 'TopicArn is not an SNS topic ARN' };
  return { ok: true, partition: m[1] ?? '', region: m[2] ?? '', account: m[3] ?? '' };
}

function snsHostUrl(
  raw: string,
  what: string,
): SnsCheck<{ url: URL; region: string; china: boolean }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${what} is not a URL` };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `${what} is not https` };
  if (url.username !== '' || url.password !== '' || url.port !== '' || url.hash !== '') {
    return { ok: false, reason: `${what} has credentials, a port or a fragment` };
  }
  const m = SNS_HOST.exec(url.hostname);
  if (!m) return { ok: false, reason: `${what} host is not an SNS endpoint` };
  return { ok: true, url, region: m[1] ?? '', china: m[2] !== undefined };
}

/**
 * §3.4: https, `sns.<region>.amazonaws.com[.cn]`, no credentials/port/query/fragment, a `.pem`
 * path. When `topicArn` is given the region must be the topic's: SNS signs with the certificate
 * of the topic's own region, so anything else is a forgery.
 */
export function validateSigningCertUrl(
  raw: string,
  topicArn?: string,
): SnsCheck<{ region: string }> {
  const checked = snsHostUrl(raw, 'SigningCertURL');
  if (!checked.ok) return checked;
  if (checked.url.search !== '') return { ok: false, reason: 'SigningCertURL has a query string' };
  if (!checked.url.pathname.endsWith('.pem'))
    return { ok: false, reason: 'SigningCertURL is not a .pem file' };
  if (topicArn !== undefined) {
    const topic = parseTopicArn(topicArn);
    if (!topic.ok) return topic;
    if (topic.region !== checked.region || checked.china !== topic.region.startsWith('cn-')) {
      return { ok: false, reason: 'SigningCertURL region is not the topic region' };
    }
  }
  return { ok: true, region: checked.region };
}

/**
 * §3.10: only ever visit `https://sns.<topic region>.amazonaws.com/?Action=ConfirmSubscription`
 * for the very topic being confirmed (no SSRF, never a foreign topic).
 */
export function validateSubscribeUrl(raw: string, topicArn: string): SnsCheck {
  const checked = snsHostUrl(raw, 'SubscribeURL');
  if (!checked.ok) return checked;
  const topic = parseTopicArn(topicArn);
  if (!topic.ok) return topic;
  if (topic.region !== checked.region)
    return { ok: false, reason: 'SubscribeURL region is not the topic region' };
  const params = checked.url.searchParams;
  if (checked.url.pathname !== '/' || params.get('Action') !== 'ConfirmSubscription') {
    return { ok: false, reason: 'SubscribeURL is not a ConfirmSubscription call' };
  }
  if (params.get('TopicArn') !== topicArn)
    return { ok: false, reason: 'SubscribeURL is for another topic' };
  if (!params.get('Token')) return { ok: false, reason: 'SubscribeURL has no Token' };
  return { ok: true };
}

/** Names an SNS signing certificate for `region` may be issued to (§3.4, Java SDK table). */
export function expectedSigningCertNames(region: string): string[] {
  if (region.startsWith('cn-')) return [`sns-${region}.amazonaws.com.cn`];
  if (region.startsWith('us-gov-')) return ['sns-us-gov-west-1.amazonaws.com', 'sns.amazonaws.com'];
  if (SNS_SIGNING_REGIONS.has(region))
    return [`sns-signing.${region}.amazonaws.com`, 'sns.amazonaws.com'];
  return ['sns.amazonaws.com'];
}

/** Is `pem` a certificate valid at `now` (epoch ms) and issued to an SNS signing name? */
export function checkSigningCertificate(
  pem: string,
  now: number,
  region: string,
): SnsCheck<{ cert: X509Certificate }> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return { ok: false, reason: 'certificate is not a PEM X.509 certificate' };
  }
  if (now < Date.parse(cert.validFrom)) return { ok: false, reason: 'certificate not yet valid' };
  if (now > Date.parse(cert.validTo)) return { ok: false, reason: 'certificate expired' };
  if (!expectedSigningCertNames(region).some((name) => cert.checkHost(name) !== undefined)) {
    return { ok: false, reason: 'certificate is not issued to an SNS signing name' };
  }
  return { ok: true, cert };
}

/** §3.3: RSA PKCS#1 v1.5 with SHA-1 (`SignatureVersion` 1) or SHA-256 (2) over the string to sign. */
export function verifySnsSignature(envelope: SnsEnvelope, cert: X509Certificate): boolean {
  const algorithm = envelope.SignatureVersion === '1' ? 'sha1' : 'sha256';
  try {
    return cryptoVerify(
      algorithm,
      Buffer.from(snsStringToSign(envelope), 'utf8'),
      cert.publicKey,
      Buffer.from(envelope.Signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/**
 * The whole check of one verified-to-be envelope against the source's candidates: cert URL
 * (§3.4), then for each candidate certificate validity at `now`, its name and the signature.
 */
export async function verifySnsEnvelope(
  envelope: SnsEnvelope,
  source: SnsCertificateSource,
  now: number,
): Promise<SnsCheck> {
  const url = validateSigningCertUrl(envelope.SigningCertURL, envelope.TopicArn);
  if (!url.ok) return url;
  const pems = await source.candidates(envelope.SigningCertURL);
  if (pems.length === 0) return { ok: false, reason: 'no certificate for SigningCertURL' };
  let lastReason = 'signature does not match';
  for (const pem of pems) {
    const cert = checkSigningCertificate(pem, now, url.region);
    if (!cert.ok) {
      lastReason = cert.reason;
      continue;
    }
    if (verifySnsSignature(envelope, cert.cert)) return { ok: true };
    lastReason = 'signature does not match';
  }
  return { ok: false, reason: lastReason };
}
