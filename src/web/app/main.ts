/// <reference lib="dom" />
import { html, type TemplateResult } from 'lit';
import { Page } from './base.js';
import { api, ApiError, setCsrf, UNAUTHORIZED_EVENT } from './api.js';
import './overview-page.js';
import './address-page.js';
import './suppressions-page.js';
import './deliveries-page.js';
import './sync-page.js';
import './styles.css';

interface SessionInfo {
  signed_in: true;
  name: string;
  scope: string;
  csrf: string;
}

// Same words as the server's start-up log (services/access/api-keys.ts); the bundle imports no
// server code.
const CREATE_ADMIN_KEY_COMMAND = 'npx bouncer keys create --scope admin';

const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'address', label: 'Address search' },
  { id: 'suppressions', label: 'Suppressions' },
  { id: 'deliveries', label: 'Deliveries' },
  { id: 'sync', label: 'Sync' },
] as const;

/** `#/address?q=…` → { page: 'address', params }. */
function route(): { page: string; params: URLSearchParams } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return {
    page: PAGES.some((p) => p.id === path) ? path : 'overview',
    params: new URLSearchParams(query),
  };
}

/** The shell: sign-in, navigation and the current page. */
class BouncerApp extends Page {
  private session: SessionInfo | null = null;
  private checked = false;
  private error = '';
  private busy = false;
  /** False on a fresh install: no BOUNCER_API_KEY and no stored key, so nobody can sign in. */
  private keysConfigured = true;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', () => this.refresh());
    window.addEventListener(UNAUTHORIZED_EVENT, () => {
      this.session = null;
      this.refresh();
    });
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const probe = await api<SessionInfo | { signed_in: false }>('GET', '/dashboard/api/session');
      this.session = null;
      if (probe.signed_in) this.adopt(probe);
    } catch {
      this.session = null;
      this.keysConfigured = await api<{ keys_configured: boolean }>('GET', '/v1/setup-status').then(
        (r) => r.keys_configured,
        () => true,
      );
    }
    this.checked = true;
    this.refresh();
  }

  private adopt(s: SessionInfo): void {
    setCsrf(s.csrf);
    this.session = s;
  }

  private async signIn(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('key') as HTMLInputElement;
    this.busy = true;
    this.error = '';
    this.refresh();
    try {
      this.adopt(
        await api<SessionInfo>('POST', '/dashboard/api/session', { key: input.value.trim() }),
      );
      input.value = '';
    } catch (err) {
      this.error =
        err instanceof ApiError && err.status === 401
          ? 'That API key was not accepted.'
          : `Sign-in failed: ${(err as Error).message}`;
    }
    this.busy = false;
    this.refresh();
  }

  private async signOut(): Promise<void> {
    await api('DELETE', '/dashboard/api/session').catch(() => undefined);
    this.session = null;
    this.refresh();
  }

  private login(): TemplateResult {
    return html`<main class="login">
      <h1>Bouncer</h1>
      <p>
        Sign in with an API key (<code>${CREATE_ADMIN_KEY_COMMAND}</code>). The key is exchanged for
        a session cookie and not stored in the browser.
      </p>
      ${
        this.keysConfigured
          ? ''
          : html`<p class="notice" role="status">
              No API key exists yet. Create one on the server, in the Bouncer directory:
              <code>${CREATE_ADMIN_KEY_COMMAND}</code> (or set <code>BOUNCER_API_KEY</code>).
            </p>`
      }
      <form @submit=${(e: SubmitEvent) => this.signIn(e)}>
        <label
          >API key
          <input
            id="api-key"
            name="key"
            type="password"
            autocomplete="current-password"
            required
            autofocus
        /></label>
        <button type="submit" ?disabled=${this.busy}>Sign in</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
    </main>`;
  }

  private page(id: string, params: URLSearchParams): TemplateResult {
    const scope = this.session?.scope ?? 'read';
    if (id === 'address')
      return html`<bx-address .query=${params.get('q') ?? ''} .scope=${scope}></bx-address>`;
    if (id === 'suppressions') return html`<bx-suppressions .scope=${scope}></bx-suppressions>`;
    if (id === 'deliveries') return html`<bx-deliveries .scope=${scope}></bx-deliveries>`;
    if (id === 'sync') return html`<bx-sync .scope=${scope}></bx-sync>`;
    return html`<bx-overview></bx-overview>`;
  }

  protected override render(): TemplateResult {
    if (!this.checked) return html`<p class="loading">Loading…</p>`;
    if (!this.session) return this.login();
    const { page, params } = route();
    return html`<header>
        <strong class="brand">Bouncer</strong>
        <nav>
          ${PAGES.map((p) => html`<a href="#/${p.id}" class=${p.id === page ? 'active' : ''} aria-current=${p.id === page ? 'page' : 'false'}>${p.label}</a>`)}
        </nav>
        <span class="who">${this.session.name} (${this.session.scope})</span>
        <button class="link" @click=${() => this.signOut()}>Sign out</button>
      </header>
      <main>${this.page(page, params)}</main>`;
  }
}

customElements.define('bouncer-app', BouncerApp);
