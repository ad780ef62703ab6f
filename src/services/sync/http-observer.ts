import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** The HTTP answer a provider's SDK got, as Node's HTTP client saw it. */
export interface ObservedResponse {
  status: number;
  headers: IncomingHttpHeaders;
}

export type Observed<T> =
  | { ok: true; value: T; response: ObservedResponse | null }
  | { ok: false; error: unknown; response: ObservedResponse | null };

interface Observation {
  response: ObservedResponse | null;
}

const current = new AsyncLocalStorage<Observation>();
const owners = new WeakMap<ClientRequest, Observation>();
let subscribed = false;

/**
 * Some SDKs drop the response headers from their errors (mailgun.js 14: `AxiosProvider.makeRequest`
 * rethrows an axios error as `APIError({status, statusText, body})`, so a 429's Retry-After is
 * lost), and their errors cannot tell "no answer" from an answer (mailgun.js reports a refused
 * connection as status 400). Node's documented HTTP diagnostics channels let us see the SDK's own
 * response without replacing or patching any of its code: a request created inside `observeHttp`
 * is tied to that call (the channel publishes `request.start` synchronously in the caller's
 * async context), and its response's status and headers are recorded there.
 */
function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('http.client.request.start', (message) => {
    const o = current.getStore();
    if (o) owners.set((message as { request: ClientRequest }).request, o);
  });
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const o = owners.get(request);
    if (o) o.response = { status: response.statusCode ?? 0, headers: response.headers };
  });
}

/** Run `fn` (one SDK call) and report its outcome with the last HTTP response it received. */
export async function observeHttp<T>(fn: () => Promise<T>): Promise<Observed<T>> {
  ensureSubscribed();
  const o: Observation = { response: null };
  try {
    const value = await current.run(o, fn);
    return { ok: true, value, response: o.response };
  } catch (error) {
    return { ok: false, error, response: o.response };
  }
}
