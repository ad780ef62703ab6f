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

/** A request whose answer is text (NDJSON, CSV), returned as is; errors as in `api`. */
export async function apiText(
  method: string,
  path: string,
  body: BodyInit,
  contentType: string,
): Promise<string> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': contentType, 'x-csrf-token': csrfToken },
    body,
  });
  const text = await res.text();
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    let message = res.statusText;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // The status text is all there is.
    }
    throw new ApiError(res.status, message);
  }
  return text;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
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
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/dashboard/api/session'))
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    throw new ApiError(res.status, data?.error?.message ?? res.statusText);
  }
  return data as T;
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
