/** Push to providers' own suppression lists (BOUNCER_SYNC_<PROVIDER>_*). */
export interface SyncConfig {
  /** BOUNCER_SYNC_PULL_INTERVAL_MINUTES: how often the worker pulls each provider's list. */
  pullIntervalMs: number;
  sendgrid: { apiKey: string; baseUrl: string } | null;
  ses: {
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    baseUrl: string | null;
  } | null;
  mailgun: { apiKey: string; baseUrl: string; domains: string[] } | null;
  postmark: { serverToken: string; baseUrl: string; streams: string[] } | null;
  brevo: { apiKey: string; baseUrl: string } | null;
}

interface SyncReader {
  raw(name: string): string | undefined;
  list(name: string): string[];
  int(name: string, fallback: number, min?: number, max?: number): number;
}

type Fail = (name: string, problem: string) => never;

function baseUrl(r: SyncReader, fail: Fail, name: string): string | null {
  const v = r.raw(name);
  if (v === undefined) return null;
  if (!/^https?:\/\/[^/]+/.test(v)) fail(name, 'must be an absolute http(s) URL');
  return v.replace(/\/+$/, '');
}

export function parseSync(r: SyncReader, fail: Fail): SyncConfig {
  const sgKey = r.raw('BOUNCER_SYNC_SENDGRID_API_KEY');
  const sesKey = r.raw('BOUNCER_SYNC_SES_ACCESS_KEY_ID');
  const sesSecret = r.raw('BOUNCER_SYNC_SES_SECRET_ACCESS_KEY');
  if ((sesKey === undefined) !== (sesSecret === undefined))
    fail(
      sesKey === undefined
        ? 'BOUNCER_SYNC_SES_ACCESS_KEY_ID'
        : 'BOUNCER_SYNC_SES_SECRET_ACCESS_KEY',
      'is required with the other SES sync credential',
    );
  const mgKey = r.raw('BOUNCER_SYNC_MAILGUN_API_KEY');
  const mgDomains = r.list('BOUNCER_SYNC_MAILGUN_DOMAINS');
  if (mgKey && mgDomains.length === 0)
    fail(
      'BOUNCER_SYNC_MAILGUN_DOMAINS',
      'is required with BOUNCER_SYNC_MAILGUN_API_KEY (comma-separated sending domains)',
    );
  const pmToken = r.raw('BOUNCER_SYNC_POSTMARK_SERVER_TOKEN');
  const pmStreams = r.list('BOUNCER_SYNC_POSTMARK_STREAMS');
  const brevoKey = r.raw('BOUNCER_SYNC_BREVO_API_KEY');
  return {
    postmark: pmToken
      ? {
          serverToken: pmToken,
          baseUrl:
            baseUrl(r, fail, 'BOUNCER_SYNC_POSTMARK_BASE_URL') ?? 'https://api.postmarkapp.com',
          streams: pmStreams.length > 0 ? pmStreams : ['outbound'],
        }
      : null,
    brevo: brevoKey
      ? {
          apiKey: brevoKey,
          baseUrl: baseUrl(r, fail, 'BOUNCER_SYNC_BREVO_BASE_URL') ?? 'https://api.brevo.com',
        }
      : null,
    mailgun: mgKey
      ? {
          apiKey: mgKey,
          baseUrl: baseUrl(r, fail, 'BOUNCER_SYNC_MAILGUN_BASE_URL') ?? 'https://api.mailgun.net',
          domains: mgDomains,
        }
      : null,
    pullIntervalMs: r.int('BOUNCER_SYNC_PULL_INTERVAL_MINUTES', 15, 1, 24 * 60) * 60_000,
    sendgrid: sgKey
      ? {
          apiKey: sgKey,
          baseUrl: baseUrl(r, fail, 'BOUNCER_SYNC_SENDGRID_BASE_URL') ?? 'https://api.sendgrid.com',
        }
      : null,
    ses:
      sesKey && sesSecret
        ? {
            region: r.raw('BOUNCER_SYNC_SES_REGION') ?? 'us-east-1',
            accessKeyId: sesKey,
            secretAccessKey: sesSecret,
            baseUrl: baseUrl(r, fail, 'BOUNCER_SYNC_SES_BASE_URL'),
          }
        : null,
  };
}
