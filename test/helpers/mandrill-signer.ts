import { createHmac } from 'node:crypto';

/** Mandrill's recipe (spec §3.2, §8): form body and X-Mandrill-Signature for `events` at `url`. */
export function signMandrill(
  key: string,
  url: string,
  events: unknown[] | string,
): { body: string; headers: Record<string, string> } {
  const json = typeof events === 'string' ? events : JSON.stringify(events);
  const body = new URLSearchParams({ mandrill_events: json }).toString();
  const signature = createHmac('sha1', key)
    .update(url + 'mandrill_events' + json, 'utf8')
    .digest('base64');
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-mandrill-signature': signature,
    },
  };
}
