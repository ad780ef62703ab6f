/// <reference lib="dom" />
import { html, type TemplateResult } from 'lit';
import { Page } from './base.js';
import { api, fmtTime, plural } from './api.js';

// The shapes of GET /v1/sync and GET /v1/outbound-webhooks (the bundle imports no server code).
interface ProviderStatus {
  provider: string;
  configured: boolean;
  push: {
    pending: number;
    delivered: number;
    dead: number;
    oldest_pending_at: string | null;
    last_delivered_at: string | null;
    last_error: {
      message: string;
      status: number | null;
      at: string;
      next_attempt_at: string | null;
    } | null;
  };
  pull: {
    in_progress: boolean;
    last_started_at: string | null;
    last_completed_at: string | null;
    last_seen: number;
    last_imported: number;
    last_error: string | null;
    interval_minutes: number;
  } | null;
}
interface Subscription {
  id: string;
  url: string;
  events: string[] | null;
  origin: string;
  created_at: string;
  deliveries: ProviderStatus['push'];
}

const NAMES: Record<string, string> = {
  sendgrid: 'SendGrid',
  ses: 'Amazon SES',
  mailgun: 'Mailgun',
  postmark: 'Postmark',
  brevo: 'Brevo',
};

/**
 * Sync state with the providers' own suppression lists (push backlog, last pull, errors) and the
 * signed change event subscriptions, with "pull now" and "replay dead" for admins.
 */
class SyncPage extends Page {
  scope = 'read';
  private providers: ProviderStatus[] | null = null;
  private subscriptions: Subscription[] | null = null;
  private busy = new Set<string>();
  private message = '';
  private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [sync, subs] = await Promise.all([
        api<{ providers: ProviderStatus[] }>('GET', '/v1/sync'),
        this.scope === 'admin'
          ? api<{ items: Subscription[] }>('GET', '/v1/outbound-webhooks')
          : Promise.resolve(null),
      ]);
      this.providers = sync.providers;
      this.subscriptions = subs?.items.filter((s) => s.origin !== 'sync') ?? null;
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.refresh();
  }

  private async act(key: string, run: () => Promise<string>): Promise<void> {
    this.busy.add(key);
    this.message = '';
    this.error = '';
    this.refresh();
    try {
      this.message = await run();
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.busy.delete(key);
    await this.load();
  }

  private pullNow(p: string): Promise<void> {
    return this.act(`pull:${p}`, async () => {
      const r = await api<{ pages: number; seen: number; imported: number; skipped: number }>(
        'POST',
        `/v1/sync/${encodeURIComponent(p)}/run`,
      );
      return `${NAMES[p] ?? p}: read ${r.seen} ${plural(r.seen, 'entry', 'entries')} in ${r.pages} ${plural(r.pages, 'page')}; ${r.imported} new, ${r.skipped} already known.`;
    });
  }

  /** Queue a target's dead deliveries again: a provider's pushes (`sync:<p>`) or a subscriber's. */
  private replayDead(subscription: string, label: string): Promise<void> {
    return this.act(`replay:${subscription}`, async () => {
      const r = await api<{ requeued: number }>('POST', '/v1/outbound-deliveries/replay', {
        status: 'dead',
        subscription,
      });
      return `${label}: queued ${r.requeued} dead ${plural(r.requeued, 'delivery', 'deliveries')} again.`;
    });
  }

  private button(key: string, label: string, run: () => Promise<void>): TemplateResult {
    return html`<button ?disabled=${this.busy.has(key)} @click=${run}>${label}</button>`;
  }

  private replayButton(subscription: string, label: string, dead: number): TemplateResult | '' {
    if (this.scope !== 'admin' || dead === 0) return '';
    return this.button(`replay:${subscription}`, 'Replay dead', () =>
      this.replayDead(subscription, label),
    );
  }

  private deliveriesCell(s: ProviderStatus['push']): TemplateResult {
    const waiting =
      s.pending > 0
        ? html`<span class=${s.last_error ? 'bad' : ''}
            >${s.pending}
            waiting${s.oldest_pending_at ? `, oldest ${fmtTime(s.oldest_pending_at)}` : ''}</span
          >`
        : html`<span class="good">up to date</span>`;
    return html`${waiting}${s.dead > 0 ? html`<br /><span class="bad">${s.dead} dead</span>` : ''}
      <br /><span class="hint"
        >${s.last_delivered_at ? `last delivered ${fmtTime(s.last_delivered_at)}` : 'nothing delivered yet'}</span
      >`;
  }

  private pullCell(p: ProviderStatus): TemplateResult {
    const s = p.pull;
    if (!s) return html`<span class="hint">${p.configured ? 'not pulled' : '–'}</span>`;
    const state = s.in_progress
      ? html`<span class=${s.last_error ? 'bad' : ''}
          >interrupted pass, resumes at the next run</span
        >`
      : s.last_completed_at
        ? html`last ${fmtTime(s.last_completed_at)}`
        : html`<span class="hint">never run</span>`;
    return html`${state}<br /><span class="hint"
        >${s.last_seen} read, ${s.last_imported} new; every ${s.interval_minutes} min</span
      >`;
  }

  private errorCell(
    push: ProviderStatus['push']['last_error'],
    pull: string | null | undefined,
  ): TemplateResult {
    if (!push && !pull) return html`<span class="good">none</span>`;
    const prefix = pull === undefined ? '' : 'push: ';
    return html`${
      push
        ? html`<div class="bad wrap">
            ${prefix}${push.message}
            <span class="hint"
              >(${fmtTime(push.at)}${push.next_attempt_at ? `; next try ${fmtTime(push.next_attempt_at)}` : ''})</span
            >
          </div>`
        : ''
    }${pull ? html`<div class="bad wrap">pull: ${pull}</div>` : ''}`;
  }

  private providerRow(p: ProviderStatus): TemplateResult {
    const name = NAMES[p.provider] ?? p.provider;
    const admin = this.scope === 'admin';
    return html`<tr data-provider=${p.provider} class=${p.configured ? '' : 'muted'}>
      <th scope="row">
        ${name} ${p.configured ? '' : html`<br /><span class="hint">not configured</span>`}
      </th>
      <td>${p.configured ? this.deliveriesCell(p.push) : '–'}</td>
      <td>${this.pullCell(p)}</td>
      <td>${p.configured ? this.errorCell(p.push.last_error, p.pull?.last_error ?? null) : ''}</td>
      <td>
        ${admin && p.pull ? this.button(`pull:${p.provider}`, 'Pull now', () => this.pullNow(p.provider)) : ''}
        ${this.replayButton(`sync:${p.provider}`, name, p.push.dead)}
      </td>
    </tr>`;
  }

  private providersTable(providers: ProviderStatus[]): TemplateResult {
    return html`<table id="sync-providers">
        <thead>
          <tr>
            <th>Provider</th>
            <th>Push</th>
            <th>Pull</th>
            <th>Errors</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${providers.map((p) => this.providerRow(p))}
        </tbody>
      </table>
      ${
        providers.some((p) => p.configured)
          ? ''
          : html`<p class="hint">
              No provider is configured for sync: set <code>BOUNCER_SYNC_SENDGRID_API_KEY</code>,
              <code>BOUNCER_SYNC_SES_ACCESS_KEY_ID</code>, … (docs/sync.md).
            </p>`
      }`;
  }

  private subscriptionsTable(): TemplateResult | '' {
    if (this.scope !== 'admin')
      return html`<p class="hint">Subscriptions are shown to admin keys only.</p>`;
    const subs = this.subscriptions;
    if (subs === null) return '';
    if (subs.length === 0)
      return html`<p class="hint">
        No subscriber. Add one with <code>BOUNCER_OUTBOUND_WEBHOOKS</code> or
        <code>POST /v1/outbound-webhooks</code>.
      </p>`;
    return html`<table id="subscriptions">
      <thead>
        <tr>
          <th>URL</th>
          <th>Events</th>
          <th>From</th>
          <th>Deliveries</th>
          <th>Last error</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${subs.map(
          (s) =>
            html`<tr data-subscription=${s.id}>
              <td class="wrap">${s.url}</td>
              <td>${s.events?.join(', ') ?? 'all'}</td>
              <td>
                ${s.origin === 'config' ? 'configuration' : 'API'}
                <br /><span class="hint">since ${fmtTime(s.created_at)}</span>
              </td>
              <td>${this.deliveriesCell(s.deliveries)}</td>
              <td>${this.errorCell(s.deliveries.last_error, undefined)}</td>
              <td>${this.replayButton(s.id, s.url, s.deliveries.dead)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override render(): TemplateResult {
    return html`<h1>Sync</h1>
      <p class="hint">
        Bouncer's changes are pushed to each configured provider's own suppression list, and entries
        made there are pulled back (source <code>sync:&lt;provider&gt;</code>). Pushes go through
        the outbox: a provider that is down delays a change, never loses it.
      </p>
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.providers === null ? html`<p class="loading">Loading…</p>` : this.providersTable(this.providers)}
      <h2>Signed change events</h2>
      ${this.subscriptionsTable()}`;
  }
}

customElements.define('bx-sync', SyncPage);
