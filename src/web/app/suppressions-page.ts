/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { html, type TemplateResult } from 'lit';
import { Page } from './base.js';
import { api, apiText, availableRoutes, fmtTime, qs } from './api.js';
import { importSummaryOf } from './import-summary.js';

interface Entry {
  channel: string;
  address: string;
  scope: string;
  reason: string;
  source: string;
  since: string;
  until: string | null;
  active: boolean;
}
interface Listing {
  items: Entry[];
  next_cursor: string | null;
}

const REASONS = [
  'hard_bounce',
  'soft_bounce',
  'spam_complaint',
  'unsubscribe',
  'invalid_number',
  'carrier_rejection',
  'sms_opt_out',
  'sms_failure',
  'manual',
];
const PAGE_SIZE = 50;
const CSV_COLUMNS = ['channel', 'address', 'scope', 'reason', 'source', 'since', 'until'] as const;

const csvCell = (v: string | null): string =>
  v === null ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** The suppression list with filters, cursor pagination, export and import. */
class SuppressionsPage extends Page {
  scope = 'read';
  private filters: Record<string, string> = {};
  private listing: Listing | null = null;
  /** Cursors of the pages before this one, for "Previous". */
  private cursors: Array<string | undefined> = [];
  private cursor: string | undefined;
  private routes = new Set<string>();
  private message = '';
  private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void availableRoutes().then((r) => {
      this.routes = r;
      this.refresh();
    });
    void this.load();
  }

  private query(extra: Record<string, string | number | undefined> = {}): string {
    const f = this.filters;
    return qs({
      channel: f.channel,
      reason: f.reason,
      source: f.source,
      scope: f.scope,
      q: f.q,
      from: f.from,
      to: f.to ? new Date(Date.parse(f.to) + 86_400_000).toISOString().slice(0, 10) : undefined,
      ...extra,
    });
  }

  private async load(): Promise<void> {
    this.error = '';
    try {
      this.listing = await api<Listing>(
        'GET',
        `/v1/suppressions${this.query({ limit: PAGE_SIZE, cursor: this.cursor })}`,
      );
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.refresh();
  }

  private applyFilters(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    this.filters = Object.fromEntries(
      [...data.entries()]
        .map(([k, v]) => [k, typeof v === 'string' ? v.trim() : ''])
        .filter(([, v]) => v !== ''),
    );
    this.cursors = [];
    this.cursor = undefined;
    void this.load();
  }

  private page(direction: 1 | -1): void {
    if (direction === 1 && this.listing?.next_cursor) {
      this.cursors.push(this.cursor);
      this.cursor = this.listing.next_cursor;
    } else if (direction === -1) {
      this.cursor = this.cursors.pop();
    }
    void this.load();
  }

  /** Without GET /v1/export: page through the API and build the CSV here. */
  private async exportInBrowser(): Promise<void> {
    const lines = [CSV_COLUMNS.join(',')];
    let cursor: string | undefined;
    do {
      const page: Listing = await api<Listing>(
        'GET',
        `/v1/suppressions${this.query({ limit: 1_000, cursor })}`,
      );
      for (const e of page.items) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const url = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }));
    const a = Object.assign(document.createElement('a'), {
      href: url,
      download: 'suppressions.csv',
    });
    a.click();
    URL.revokeObjectURL(url);
  }

  private async importFile(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('file') as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const type = /\.(ndjson|jsonl)$/i.test(file.name) ? 'application/x-ndjson' : 'text/csv';
    try {
      // The answer is NDJSON (a line per row, the summary last), not one JSON object.
      const r = importSummaryOf(await apiText('POST', '/v1/import', file, type));
      if (!r) throw new Error('the server sent no summary');
      this.message = `Imported ${file.name}: ${r.total} rows, ${r.imported} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.invalid} invalid.`;
      void this.load();
    } catch (err) {
      this.error = `Import failed: ${(err as Error).message}`;
      this.refresh();
    }
  }

  private filterForm(): TemplateResult {
    const f = this.filters;
    return html`<form class="filters" @submit=${(e: SubmitEvent) => this.applyFilters(e)}>
      <label
        >Channel
        <select name="channel">
          <option value="">any</option>
          ${['email', 'phone'].map((c) => html`<option ?selected=${f.channel === c}>${c}</option>`)}
        </select></label
      >
      <label
        >Reason
        <select name="reason">
          <option value="">any</option>
          ${REASONS.map((r) => html`<option ?selected=${f.reason === r}>${r}</option>`)}
        </select></label
      >
      <label
        >Source <input name="source" .value=${f.source ?? ''} placeholder="drip, sendgrid, manual…"
      /></label>
      <label>Scope <input name="scope" .value=${f.scope ?? ''} placeholder="*" /></label>
      <label>Address contains <input name="q" .value=${f.q ?? ''} /></label>
      <label>Created from <input name="from" type="date" .value=${f.from ?? ''} /></label>
      <label>to <input name="to" type="date" .value=${f.to ?? ''} /></label>
      <button type="submit">Filter</button>
    </form>`;
  }

  private tools(): TemplateResult {
    const canWrite = this.scope !== 'read';
    return html`<div class="tools">
      ${
        this.routes.has('/v1/export')
          ? html`<a class="button" href="/v1/export${this.query({ format: 'csv' })}" download
              >Export CSV</a
            >`
          : html`<button @click=${() => this.exportInBrowser()}>Export CSV</button>`
      }
      ${
        !canWrite
          ? ''
          : this.routes.has('/v1/import')
            ? html`<form class="inline" @submit=${(e: SubmitEvent) => this.importFile(e)}>
                <input
                  name="file"
                  type="file"
                  accept=".csv,.ndjson,.jsonl,text/csv"
                  required
                  aria-label="List to import"
                /><button type="submit">Import</button>
              </form>`
            : html`<span class="hint"
                >Import needs POST /v1/import, which this server does not offer.</span
              >`
      }
    </div>`;
  }

  protected override render(): TemplateResult {
    const l = this.listing;
    return html`<h1>Suppressions</h1>
      ${this.filterForm()} ${this.tools()}
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${
        l
          ? html`<table id="suppressions">
                <thead>
                  <tr>
                    <th>Address</th>
                    <th>Channel</th>
                    <th>Scope</th>
                    <th>Reason</th>
                    <th>Source</th>
                    <th>Since</th>
                    <th>Until</th>
                  </tr>
                </thead>
                <tbody>
                  ${l.items.map(
                    (e) =>
                      html`<tr class=${e.active ? '' : 'muted'}>
                        <td>
                          <a href="#/address?q=${encodeURIComponent(e.address)}">${e.address}</a>
                        </td>
                        <td>${e.channel}</td>
                        <td>${e.scope}</td>
                        <td>${e.reason}</td>
                        <td>${e.source}</td>
                        <td>${fmtTime(e.since)}</td>
                        <td>${e.until ? fmtTime(e.until) : 'permanent'}</td>
                      </tr>`,
                  )}
                  ${
                    l.items.length === 0
                      ? html`<tr>
                          <td colspan="7">Nothing matches these filters.</td>
                        </tr>`
                      : ''
                  }
                </tbody>
              </table>
              <div class="pager">
                <button ?disabled=${this.cursors.length === 0} @click=${() => this.page(-1)}>
                  ← Previous</button
                ><button ?disabled=${!l.next_cursor} @click=${() => this.page(1)}>Next →</button>
              </div>`
          : html`<p class="loading">Loading…</p>`
      }`;
  }
}

customElements.define('bx-suppressions', SuppressionsPage);
