import { json, listen, type LocalProviderServer } from './local-server.js';

type MailgunList = 'bounces' | 'complaints' | 'unsubscribes';

/**
 * A local server implementing Mailgun's documented v3 suppression endpoints per domain
 * (`POST /v3/{domain}/{bounces|complaints|unsubscribes}` with form fields, `DELETE …/{address}`),
 * HTTP Basic auth `api:<key>` (401 otherwise).
 */
export async function startMailgunServer(
  apiKey: string,
): Promise<LocalProviderServer & { lists: Map<string, Record<MailgunList, Set<string>>> }> {
  const lists = new Map<string, Record<MailgunList, Set<string>>>();
  const of = (domain: string): Record<MailgunList, Set<string>> => {
    let l = lists.get(domain);
    if (!l)
      lists.set(
        domain,
        (l = { bounces: new Set(), complaints: new Set(), unsubscribes: new Set() }),
      );
    return l;
  };
  const s = await listen((req, body, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`)
      return json(res, 401, { message: 'Invalid private key' });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/v3\/([^/]+)\/(bounces|complaints|unsubscribes)(?:\/([^/]+))?$/.exec(path);
    if (!m) return json(res, 404, { message: 'not found' });
    const list = of(decodeURIComponent(m[1]!))[m[2] as MailgunList];
    if (req.method === 'POST' && !m[3]) {
      const form = new URLSearchParams(body);
      const address = form.get('address');
      if (!address) return json(res, 400, { message: 'address is required' });
      list.add(address);
      return json(res, 200, { message: 'Address has been added', address });
    }
    if (req.method === 'DELETE' && m[3]) {
      if (!list.delete(decodeURIComponent(m[3]))) return json(res, 404, { message: 'not found' });
      return json(res, 200, { message: 'Address has been removed' });
    }
    return json(res, 405, { message: 'method not allowed' });
  });
  return Object.assign(s, { lists });
}
