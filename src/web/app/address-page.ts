/// <reference lib="dom" />
import { html, type TemplateResult } from 'lit';
import { Page } from './base.js';
import { api, fmtTime, qs } from './api.js';

interface Entry {
  scope: string;
  reason: string;
  source: string;
  since: string;
  until: string | null;
}
interface Status {
  address: string;
  channel: string;
  suppressed: boolean;
  entries: Entry[];
}
interface EventItem {
  id: string;
  provider: string;
  type: string;
  reason: string | null;
  fine_reason: string | null;
  smtp_code: string | null;
  enhanced_status: string | null;
  diagnostic: string | null;
  occurred_at: string;
  delivery_id: string | null;
  campaign: string | null;
}
interface AuditItem {
  id: string;
  at: string;
  actor: string;
  action: string;
  scope: string | null;
  note: string | null;
}

const REASONS = [
  'manual',
  'hard_bounce',
  'soft_bounce',
  'spam_complaint',
  'unsubscribe',
  'invalid_number',
  'carrier_rejection',
  'sms_opt_out',
  'sms_failure',
];

/** "Why is this address suppressed?": status, event history with raw payloads, audit trail, and manual changes. */
class AddressPage extends Page {
  scope = 'read';
  private current = '';
  private status: Status | null = null;
  private events: EventItem[] = [];
  private eventsCursor: string | null = null;
  private audit: AuditItem[] = [];
  private raw = new Map<string, string>();
  private message = '';
  private error = '';

  set query(value: string) {
    if (value && value !== this.current) {
      this.current = value;
      void this.search(value);
    }
  }

  get query(): string {
    return this.current;
  }

  private async search(address: string): Promise<void> {
    this.error = '';
    this.raw.clear();
    try {
      const enc = encodeURIComponent(address);
      const [status, history, audit] = await Promise.all([
        api<Status>('GET', `/v1/suppressions/${enc}`),
        api<{ events: EventItem[]; next_cursor: string | null }>(
          'GET',
          `/v1/events${qs({ address, limit: 200 })}`,
        ),
        api<{ items: AuditItem[] }>('GET', `/v1/audit${qs({ address, limit: 200 })}`),
      ]);
      this.status = status;
      this.events = history.events;
      this.eventsCursor = history.next_cursor;
      this.audit = audit.items;
    } catch (err) {
      this.status = null;
      this.error = (err as Error).message;
    }
    this.refresh();
  }

  private submitSearch(e: SubmitEvent): void {
    e.preventDefault();
    const value = (
      (e.target as HTMLFormElement).elements.namedItem('address') as HTMLInputElement
    ).value.trim();
    this.message = '';
    if (value === this.current) void this.search(value);
    location.hash = `#/address?q=${encodeURIComponent(value)}`;
  }

  private async moreEvents(): Promise<void> {
    if (!this.eventsCursor) return;
    const page = await api<{ events: EventItem[]; next_cursor: string | null }>(
      'GET',
      `/v1/events${qs({ address: this.current, limit: 200, cursor: this.eventsCursor })}`,
    );
    this.events = [...this.events, ...page.events];
    this.eventsCursor = page.next_cursor;
    this.refresh();
  }

  private async showRaw(deliveryId: string): Promise<void> {
    try {
      const d = await api<{ body: string; headers: unknown; received_at: string }>(
        'GET',
        `/v1/deliveries/${encodeURIComponent(deliveryId)}`,
      );
      let body = d.body;
      try {
        body = JSON.stringify(JSON.parse(d.body), null, 2);
      } catch {
        // not JSON (form-encoded, a mail): show as received
      }
      this.raw.set(
        deliveryId,
        `received ${d.received_at}\nheaders ${JSON.stringify(d.headers)}\n\n${body}`,
      );
    } catch (err) {
      this.raw.set(deliveryId, `Cannot show the raw payload: ${(err as Error).message}`);
    }
    this.refresh();
  }

  private async change(
    e: SubmitEvent,
    kind: 'suppress' | 'unsuppress',
    scope?: string,
  ): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = (n: string): string =>
      (form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement | null)?.value.trim() ??
      '';
    const address = this.status?.address ?? this.current;
    try {
      if (kind === 'suppress') {
        await api('POST', '/v1/suppressions', {
          address,
          reason: field('reason'),
          note: field('note'),
          ...(field('scope') ? { scope: field('scope') } : {}),
        });
        this.message = `Suppressed ${address}.`;
      } else {
        await api('DELETE', `/v1/suppressions/${encodeURIComponent(address)}`, {
          note: field('note'),
          scope,
        });
        this.message = `Removed the suppression of ${address} (scope ${scope ?? '*'}).`;
      }
      await this.search(address);
    } catch (err) {
      this.error = (err as Error).message;
      this.refresh();
    }
  }

  private statusView(s: Status): TemplateResult {
    const canWrite = this.scope !== 'read';
    return html`<section>
      <h2>
        ${s.address}
        <span class="badge ${s.suppressed ? 'bad' : 'good'}"
          >${s.suppressed ? 'suppressed' : 'not suppressed'}</span
        >
      </h2>
      ${
        s.entries.length === 0
          ? html`<p>No active suppression (${s.channel}).</p>`
          : html`<table id="entries">
              <thead>
                <tr>
                  <th>Scope</th>
                  <th>Reason</th>
                  <th>Source</th>
                  <th>Since</th>
                  <th>Until</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${s.entries.map(
                  (e) =>
                    html`<tr>
                      <td>${e.scope}</td>
                      <td>${e.reason}</td>
                      <td>${e.source}</td>
                      <td>${fmtTime(e.since)}</td>
                      <td>${e.until ? fmtTime(e.until) : 'permanent'}</td>
                      <td>
                        ${
                          canWrite
                            ? html`<form
                                class="inline"
                                @submit=${(ev: SubmitEvent) => this.change(ev, 'unsuppress', e.scope)}
                              >
                                <input
                                  name="note"
                                  placeholder="Why? (audited)"
                                  required
                                  aria-label="Note for unsuppressing scope ${e.scope}"
                                />
                                <button type="submit">Unsuppress</button>
                              </form>`
                            : ''
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${
        canWrite
          ? html`<details>
              <summary>Suppress by hand</summary>
              <form class="inline" @submit=${(ev: SubmitEvent) => this.change(ev, 'suppress')}>
                <select name="reason" aria-label="Reason">
                  ${REASONS.map((r) => html`<option>${r}</option>`)}
                </select>
                <input name="scope" placeholder="scope (default * = global)" aria-label="Scope" />
                <input name="note" placeholder="Why? (audited)" required aria-label="Note" />
                <button type="submit">Suppress</button>
              </form>
            </details>`
          : ''
      }
    </section>`;
  }

  private eventsView(): TemplateResult {
    return html`<section>
      <h2>Event history</h2>
      ${
        this.events.length === 0
          ? html`<p>No events for this address.</p>`
          : html`<table id="events">
              <thead>
                <tr>
                  <th>Occurred</th>
                  <th>Provider</th>
                  <th>Type</th>
                  <th>Reason</th>
                  <th>SMTP</th>
                  <th>Diagnostic</th>
                  <th>Raw</th>
                </tr>
              </thead>
              <tbody>
                ${this.events.map(
                  (ev) =>
                    html`<tr>
                        <td>${fmtTime(ev.occurred_at)}</td>
                        <td>${ev.provider}</td>
                        <td>${ev.type}</td>
                        <td>${ev.reason ?? ''}${ev.fine_reason ? ` (${ev.fine_reason})` : ''}</td>
                        <td>${[ev.smtp_code, ev.enhanced_status].filter(Boolean).join(' ')}</td>
                        <td class="wrap">${ev.diagnostic ?? ''}</td>
                        <td>
                          ${ev.delivery_id ? html`<button class="link" @click=${() => this.showRaw(ev.delivery_id!)}>payload</button>` : '—'}
                        </td>
                      </tr>
                      ${
                        ev.delivery_id && this.raw.has(ev.delivery_id)
                          ? html`<tr>
                              <td colspan="7">
                                <pre class="raw">${this.raw.get(ev.delivery_id)}</pre>
                              </td>
                            </tr>`
                          : ''
                      }`,
                )}
              </tbody>
            </table>`
      }
      ${this.eventsCursor ? html`<button @click=${() => this.moreEvents()}>Older events</button>` : ''}
    </section>`;
  }

  private auditView(): TemplateResult {
    return html`<section>
      <h2>Audit log</h2>
      ${
        this.audit.length === 0
          ? html`<p>No manual changes.</p>`
          : html`<table id="audit">
              <thead>
                <tr>
                  <th>At</th>
                  <th>Action</th>
                  <th>Scope</th>
                  <th>By</th>
                  <th>Note</th>
                </tr>
              </thead>
              <tbody>
                ${this.audit.map(
                  (a) =>
                    html`<tr>
                      <td>${fmtTime(a.at)}</td>
                      <td>${a.action}</td>
                      <td>${a.scope ?? ''}</td>
                      <td>${a.actor}</td>
                      <td class="wrap">${a.note ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>`;
  }

  protected override render(): TemplateResult {
    return html`<h1>Address search</h1>
      <form class="search" @submit=${(e: SubmitEvent) => this.submitSearch(e)}>
        <input
          id="address-input"
          name="address"
          type="search"
          placeholder="email address or phone number"
          .value=${this.current}
          required
          aria-label="Address"
        />
        <button type="submit">Search</button>
      </form>
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.status ? html`${this.statusView(this.status)}${this.eventsView()}${this.auditView()}` : ''}`;
  }
}

customElements.define('bx-address', AddressPage);
