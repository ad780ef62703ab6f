import type { Config } from '../config.js';
import type { PreferenceState } from '../services/consent/preferences.js';

type Brand = Readonly<Config['brand']>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Everything interpolated into a page goes through this (text and attribute values alike). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Headers every recipient page carries: no script may run (the pages need none), no framing
 * (clickjacking the confirm button), forms post only to this origin, and neither the token in the
 * URL nor the page is passed on in a Referer or kept by a shared cache.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
} as const;

function layout(brand: Brand, title: string, body: string): string {
  const logo = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.name)}" height="40">`
    : `<strong>${escapeHtml(brand.name)}</strong>`;
  const color = escapeHtml(brand.color);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · ${escapeHtml(brand.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
header{border-bottom:3px solid ${color};padding-bottom:.5rem;margin-bottom:1rem}
button{background:${color};color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;font-size:1rem;cursor:pointer}
button.secondary{background:#fff;color:${color};border:1px solid ${color}}
li{margin:.75rem 0}form.inline{display:inline}.muted{color:#666;font-size:.9rem}</style></head>
<body><header>${logo}</header><main>${body}</main></body></html>`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/** Masks the local part (`j***@example.com`): the page may be seen over a shoulder. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return address.length > 4 ? `${address.slice(0, 3)}***${address.slice(-2)}` : '***';
  return `${address[0]}***${address.slice(at)}`;
}

/**
 * The page a GET of the one-click URL shows. It changes nothing (link scanners fetch it); the
 * confirm button posts the RFC 8058 body, group toggles post with a nonce bound to the token.
 */
export function preferencePage(brand: Brand, token: string, state: PreferenceState): string {
  const action = `/unsubscribe/${encodeURIComponent(token)}`;
  const unsubscribeForm = (scope: string | null, label: string, cls = ''): string =>
    `<form class="inline" method="post" action="${escapeHtml(action)}">${hidden('List-Unsubscribe', 'One-Click')}${
      scope === null ? '' : hidden('scope', scope) + hidden('nonce', state.nonce)
    }<button${cls ? ` class="${cls}"` : ''} type="submit">${escapeHtml(label)}</button></form>`;
  const rejoinForm = (scope: string, label: string): string =>
    `<form class="inline" method="post" action="${escapeHtml(`${action}/preferences`)}">${hidden('scope', scope)}${hidden(
      'nonce',
      state.nonce,
    )}<button class="secondary" type="submit">${escapeHtml(label)}</button></form>`;
  const who = escapeHtml(maskAddress(state.claims.address));
  const parts: string[] = [];
  if (state.everything) {
    parts.push(
      `<p>${who} is unsubscribed from everything.</p>`,
      rejoinForm('*', 'Subscribe again'),
    );
  } else {
    const scope = state.claims.scope;
    const group = state.groups.find((g) => g.id === scope);
    const what = scope === '*' ? 'these emails' : escapeHtml(group?.name ?? scope);
    const already = group?.unsubscribed ?? false;
    parts.push(
      already
        ? `<p>${who} is unsubscribed from ${what}.</p>`
        : `<p>Unsubscribe ${who} from ${what}?</p>${unsubscribeForm(null, 'Unsubscribe')}`,
    );
  }
  if (state.groups.length > 0) {
    const items = state.groups.map((g) => {
      const text = `<strong>${escapeHtml(g.name)}</strong>${g.description ? `<br><span class="muted">${escapeHtml(g.description)}</span>` : ''}`;
      const toggle = g.unsubscribed
        ? `<span class="muted">unsubscribed</span> ${rejoinForm(g.id, 'Rejoin')}`
        : unsubscribeForm(g.id, 'Leave', 'secondary');
      return `<li>${text}<br>${toggle}</li>`;
    });
    parts.push(`<h2>Your subscriptions</h2><ul>${items.join('')}</ul>`);
  }
  if (!state.everything)
    parts.push(`<p>${unsubscribeForm('*', 'Unsubscribe from everything')}</p>`);
  return layout(brand, 'Email preferences', parts.join('\n'));
}

/** After a POST: a plain confirmation (RFC 8058 clients ignore the body; people read it). */
export function donePage(brand: Brand, message: string, back: string | null): string {
  const link = back ? `<p><a href="${escapeHtml(back)}">Manage your preferences</a></p>` : '';
  return layout(brand, 'Done', `<p>${escapeHtml(message)}</p>${link}`);
}
