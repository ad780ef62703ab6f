/// <reference lib="dom" />
/** The dashboard's only way to the server: same-origin fetches with the session cookie and CSRF token. */
let csrfToken = '';

export function setCsrf(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const UNAUTHORIZED_EVENT = 'bouncer-unauthorized';

async function send(
  method: string,
  path: string,
  body: unknown,
  contentType: string,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = contentType;
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers,
    body:
      body === undefined
        ? undefined
        : contentType === 'application/json'
          ? JSON.stringify(body)
          : (body as BodyInit),
  });
  if (!res.ok) {
    const data = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (res.status === 401 && !path.startsWith('/dashboard/api/session'))
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    throw new ApiError(res.status, data?.error?.message ?? res.statusText);
  }
  return res;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const res = await send(method, path, body, contentType);
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => null)) as T;
}

/** An NDJSON answer (e.g. POST /v1/import), one parsed value per line. */
export async function apiLines<T>(
  method: string,
  path: string,
  body: unknown,
  contentType: string,
): Promise<T[]> {
  const text = await (await send(method, path, body, contentType)).text();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export const qs = (
  params: Record<string, string | number | boolean | undefined | null>,
): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** The noun for a count: "1 dead delivery", "2 dead deliveries". */
export const plural = (n: number, one: string, many = `${one}s`): string => (n === 1 ? one : many);

export const fmtTime = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';

/** Which optional API routes this server has (the dashboard adapts instead of failing). */
let routes: Promise<Set<string>> | null = null;
export function availableRoutes(): Promise<Set<string>> {
  routes ??= fetch('/openapi.json')
    .then((r) => r.json() as Promise<{ paths?: Record<string, unknown> }>)
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => new Set<string>());
  return routes;
}
