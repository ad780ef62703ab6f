/// <reference lib="dom" />
import { html, type TemplateResult } from 'lit';
import { Page } from './base.js';
import { api, fmtTime, plural } from './api.js';
import { emptyChart, lineChart, type Line } from './charts.js';

interface Overview {
  suppressionsByReason: Array<{ reason: string; count: number; percent: number }>;
  totalSuppressions: number;
  eventsPerDay: { days: string[]; series: Record<string, number[]> };
  rates: { bounce: Array<number | null>; complaint: Array<number | null> };
  thresholds: {
    bounce: { warning: number; critical: number };
    complaint: { warning: number; critical: number };
  };
  queue: { pending: number; processing: number; dead: number; oldest_age_seconds: number };
}

interface AlertState {
  key: string;
  rule: string;
  group: string;
  severity: string | null;
  message: string;
  fired_at: string | null;
  transition?: string;
  at?: string;
}

interface Alerts {
  firing: AlertState[];
  recent: AlertState[];
}

const REASON_LABELS: Record<string, string> = {
  hard_bounce: 'Hard bounce (invalid address)',
  soft_bounce: 'Soft bounce (mailbox full, temporary)',
  spam_complaint: 'Spam complaint',
  unsubscribe: 'Unsubscribe',
  invalid_number: 'Invalid phone number',
  carrier_rejection: 'Carrier rejection',
  sms_opt_out: 'SMS opt-out',
  sms_failure: 'SMS failure',
  manual: 'Manual',
};

const age = (s: number): string =>
  s < 120 ? `${s} s` : s < 7_200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3_600)} h`;

/** Overview: the breakdown table, events per day, rates against the alert thresholds, alerts and the queue. */
class OverviewPage extends Page {
  private data: Overview | null = null;
  private alerts: Alerts | null = null;
  private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.data, this.alerts] = await Promise.all([
        api<Overview>('GET', '/v1/dashboard/overview?days=30'),
        api<Alerts>('GET', '/v1/alerts'),
      ]);
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.refresh();
    await this.updateComplete;
    this.drawCharts();
  }

  private drawCharts(): void {
    const d = this.data;
    if (!d) return;
    const { days, series } = d.eventsPerDay;
    const events = this.querySelector<HTMLElement>('#chart-events');
    if (events)
      lineChart(
        events,
        days,
        Object.entries(series).map(([label, values]) => ({ label, values })),
        'events',
        { integer: true },
      );
    const flat = (v: number): number[] => days.map(() => v);
    const rateChart = (
      selector: string,
      rate: { label: string; values: Array<number | null>; color: string },
      t: { warning: number; critical: number },
    ): void => {
      const el = this.querySelector<HTMLElement>(selector);
      if (!el) return;
      // A rate needs deliveries to divide by; thresholds alone would look like a flat, healthy chart.
      if (rate.values.every((v) => v === null)) {
        emptyChart(el, 'No deliveries in this period.');
        return;
      }
      const lines: Line[] = [
        rate,
        {
          label: `Warning ${t.warning} %`,
          values: flat(t.warning),
          color: '#ca8a04',
          dash: [6, 4],
        },
        {
          label: `Critical ${t.critical} %`,
          values: flat(t.critical),
          color: '#dc2626',
          dash: [6, 4],
        },
      ];
      lineChart(el, days, lines, '%');
    };
    rateChart(
      '#chart-bounce',
      { label: 'Bounce rate %', values: d.rates.bounce, color: '#2563eb' },
      d.thresholds.bounce,
    );
    rateChart(
      '#chart-complaint',
      { label: 'Complaint rate %', values: d.rates.complaint, color: '#9333ea' },
      d.thresholds.complaint,
    );
  }

  private cards(d: Overview): TemplateResult {
    const firing = this.alerts?.firing.length ?? 0;
    return html`<section class="cards">
      <div class="card">
        <span class="big">${d.totalSuppressions.toLocaleString()}</span
        ><span>active ${plural(d.totalSuppressions, 'suppression')}</span>
      </div>
      <div class="card ${firing > 0 ? 'bad' : 'good'}">
        <span class="big">${firing}</span><span>${plural(firing, 'alert')} firing</span>
      </div>
      <div class="card ${d.queue.oldest_age_seconds > 300 ? 'bad' : ''}">
        <span class="big">${d.queue.pending + d.queue.processing}</span
        ><span
          >waiting ${plural(d.queue.pending + d.queue.processing, 'delivery', 'deliveries')} (oldest
          ${age(d.queue.oldest_age_seconds)})</span
        >
      </div>
      <a class="card ${d.queue.dead > 0 ? 'bad' : 'good'}" href="#/deliveries"
        ><span class="big">${d.queue.dead}</span
        ><span>dead ${plural(d.queue.dead, 'delivery', 'deliveries')}</span></a
      >
    </section>`;
  }

  private alertTables(a: Alerts): TemplateResult {
    return html`<section>
      <h2>Alerts</h2>
      ${
        a.firing.length === 0
          ? html`<p class="good">No alert is firing.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>Rule</th>
                  <th>Group</th>
                  <th>Since</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                ${a.firing.map(
                  (s) =>
                    html`<tr class=${s.severity ?? ''}>
                      <td>${s.severity}</td>
                      <td>${s.rule}</td>
                      <td>${s.group}</td>
                      <td>${fmtTime(s.fired_at)}</td>
                      <td>${s.message}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <details>
        <summary>Transitions of the last 7 days (${a.recent.length})</summary>
        <table>
          <thead>
            <tr>
              <th>At</th>
              <th>Transition</th>
              <th>Rule</th>
              <th>Group</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            ${a.recent.map(
              (t) =>
                html`<tr>
                  <td>${fmtTime(t.at)}</td>
                  <td>${t.transition}${t.severity ? ` (${t.severity})` : ''}</td>
                  <td>${t.rule}</td>
                  <td>${t.group}</td>
                  <td>${t.message}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </details>
    </section>`;
  }

  protected override render(): TemplateResult {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const d = this.data;
    if (!d) return html`<p class="loading">Loading…</p>`;
    return html`<h1>Overview</h1>
      ${this.cards(d)}
      <div class="grid">
        <section>
          <h2>Suppressions by reason</h2>
          <table id="breakdown">
            <thead>
              <tr>
                <th>Reason</th>
                <th class="num">Count</th>
                <th class="num">Percentage</th>
              </tr>
            </thead>
            <tbody>
              ${d.suppressionsByReason.map(
                (r) =>
                  html`<tr>
                    <td>${REASON_LABELS[r.reason] ?? r.reason}</td>
                    <td class="num">${r.count.toLocaleString()}</td>
                    <td class="num">${r.percent.toFixed(1)} %</td>
                  </tr>`,
              )}
              ${
                d.suppressionsByReason.length === 0
                  ? html`<tr>
                      <td colspan="3">No active suppressions.</td>
                    </tr>`
                  : ''
              }
            </tbody>
          </table>
        </section>
        ${this.alerts ? this.alertTables(this.alerts) : ''}
      </div>
      <section>
        <h2>Events per day (last 30 days, UTC)</h2>
        <div id="chart-events" class="chart"></div>
      </section>
      <div class="grid">
        <section>
          <h2>Bounce rate per day</h2>
          <p class="hint">bounces ÷ (delivered + bounces)</p>
          <div id="chart-bounce" class="chart"></div>
        </section>
        <section>
          <h2>Complaint rate per day</h2>
          <p class="hint">complaints ÷ delivered</p>
          <div id="chart-complaint" class="chart"></div>
        </section>
      </div>`;
  }
}

customElements.define('bx-overview', OverviewPage);
