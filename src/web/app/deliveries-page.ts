/// <reference lib="dom" />
import { html, type TemplateResult } from 'lit';
import { Page } from './base.js';
import { api, fmtTime, plural, qs } from './api.js';

interface Delivery {
  id: string;
  provider: string;
  endpoint: string;
  received_at: string;
  status: string;
  attempts: number;
  last_error: string | null;
  outcome: string | null;
}
interface Backlog {
  counts: Record<string, number>;
  oldest_pending_at: string | null;
  lag_ms: number;
}

/** Dead deliveries with their error and a replay button, and the queue's counts. */
class DeliveriesPage extends Page {
  scope = 'read';
  private items: Delivery[] = [];
  private next: string | null = null;
  private backlog: Backlog | null = null;
  private message = '';
  private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(cursor?: string): Promise<void> {
    try {
      const [list, backlog] = await Promise.all([
        api<{ items: Delivery[]; next_cursor: string | null }>(
          'GET',
          `/v1/deliveries${qs({ status: 'dead', limit: 100, cursor })}`,
        ),
        api<Backlog>('GET', '/v1/deliveries/backlog'),
      ]);
      this.items = cursor ? [...this.items, ...list.items] : list.items;
      this.next = list.next_cursor;
      this.backlog = backlog;
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.refresh();
  }

  private async replay(ids: string[] | 'all'): Promise<void> {
    try {
      const r =
        ids === 'all'
          ? await api<{ requeued: number }>('POST', '/v1/deliveries/replay', { status: 'dead' })
          : await api<{ requeued: number }>(
              'POST',
              `/v1/deliveries/${encodeURIComponent(ids[0]!)}/replay`,
            );
      this.message = `Queued ${r.requeued} ${plural(r.requeued, 'delivery', 'deliveries')} again; the worker processes ${plural(r.requeued, 'it', 'them')} in a moment.`;
      await this.load();
    } catch (err) {
      this.error = (err as Error).message;
      this.refresh();
    }
  }

  protected override render(): TemplateResult {
    const b = this.backlog;
    const canWrite = this.scope !== 'read';
    return html`<h1>Deliveries</h1>
      ${
        b
          ? html`<p>
              Queue:
              ${
                Object.entries(b.counts)
                  .map(([s, n]) => `${n} ${s}`)
                  .join(', ') || 'empty'
              }${b.oldest_pending_at ? `; oldest waiting since ${fmtTime(b.oldest_pending_at)}` : ''}.
            </p>`
          : ''
      }
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <h2>Dead deliveries</h2>
      <p class="hint">
        Verified webhooks that could not be applied (unparseable, unknown endpoint, attempts
        exhausted). Replaying is safe: events are de-duplicated.
      </p>
      ${
        this.items.length === 0
          ? html`<p class="good">No dead deliveries.</p>`
          : html` ${canWrite ? html`<button @click=${() => this.replay('all')}>Replay all dead</button>` : ''}
              <table id="dead">
                <thead>
                  <tr>
                    <th>Received</th>
                    <th>Provider</th>
                    <th>Endpoint</th>
                    <th>Attempts</th>
                    <th>Error</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${this.items.map(
                    (d) =>
                      html`<tr>
                        <td>${fmtTime(d.received_at)}</td>
                        <td>${d.provider}</td>
                        <td>${d.endpoint}</td>
                        <td>${d.attempts}</td>
                        <td class="wrap">${d.last_error ?? d.outcome ?? ''}</td>
                        <td>
                          ${canWrite ? html`<button @click=${() => this.replay([d.id])}>Replay</button>` : ''}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${this.next ? html`<button @click=${() => this.load(this.next ?? undefined)}>More</button>` : ''}`
      }`;
  }
}

customElements.define('bx-deliveries', DeliveriesPage);
