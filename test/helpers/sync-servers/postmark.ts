import { json, listen, type LocalProviderServer } from './local-server.js';

/**
 * A local server implementing Postmark's documented suppressions API per message stream
 * (`POST /message-streams/{stream}/suppressions` and `…/suppressions/delete`), server token auth.
 */
export async function startPostmarkServer(
  token: string,
): Promise<LocalProviderServer & { streams: Map<string, Set<string>> }> {
  const streams = new Map<string, Set<string>>();
  const s = await listen((req, body, res) => {
    if (req.headers['x-postmark-server-token'] !== token)
      return json(res, 401, { ErrorCode: 10, Message: 'Bad or missing Server API token.' });
    const m = /^\/message-streams\/([^/]+)\/suppressions(\/delete)?$/.exec(
      new URL(req.url ?? '/', 'http://x').pathname,
    );
    if (req.method !== 'POST' || !m)
      return json(res, 404, { ErrorCode: 404, Message: 'not found' });
    const stream = decodeURIComponent(m[1]!);
    const set = streams.get(stream) ?? new Set<string>();
    streams.set(stream, set);
    const items = (JSON.parse(body) as { Suppressions: Array<{ EmailAddress: string }> })
      .Suppressions;
    for (const i of items) {
      if (m[2]) set.delete(i.EmailAddress);
      else set.add(i.EmailAddress);
    }
    return json(res, 200, {
      Suppressions: items.map((i) => ({
        EmailAddress: i.EmailAddress,
        Status: m[2] ? 'Deleted' : 'Suppressed',
        Message: null,
      })),
    });
  });
  return Object.assign(s, { streams });
}
