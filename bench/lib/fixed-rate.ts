import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface FixedRateResult {
  sent: number;
  errors: number;
  /** Requests per second actually completed. */
  rate: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /**
   * The same, counted from the moment each request was issued instead of when it was due: without
   * the client's own lateness (its timer fires about every millisecond). Sending never waits for
   * answers, so a stalled server still shows (requests queue for a connection and are counted).
   */
  issued: { p50: number; p99: number; p999: number };
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i / rate, requests are spread evenly
 * over time (not sent in bursts at the top of each second), and each latency is measured from the
 * moment the request was due, so a stalled server cannot hide its stall (no coordinated omission).
 * Latencies in milliseconds with sub-millisecond resolution.
 */
export async function fixedRateLoad(opts: {
  url: string;
  rate: number;
  durationS: number;
  connections: number;
  headers?: Record<string, string>;
  path: (i: number) => string;
}): Promise<FixedRateResult> {
  const base = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const total = Math.round(opts.rate * opts.durationS);
  const latencies = new Float64Array(total);
  const fromIssue = new Float64Array(total);
  let done = 0;
  let errors = 0;
  let next = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      if (++done === total) resolve();
    };
    const send = (i: number, dueAt: number): void => {
      const issuedAt = performance.now();
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          method: 'GET',
          path: opts.path(i),
          headers: opts.headers,
          agent,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            const now = performance.now();
            latencies[i] = now - dueAt;
            fromIssue[i] = now - issuedAt;
            finish();
          });
        },
      );
      req.on('error', () => {
        errors++;
        latencies[i] = performance.now() - dueAt;
        fromIssue[i] = performance.now() - issuedAt;
        finish();
      });
      req.end();
    };
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * opts.rate) / 1000) + 1);
      while (next < due) {
        send(next, start + (next * 1000) / opts.rate);
        next++;
      }
      if (next < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const issued = Array.from(fromIssue).sort((a, b) => a - b);
  const at = (xs: number[], q: number): number =>
    xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
  return {
    sent: total,
    errors,
    rate: total / elapsed,
    p50: at(sorted, 0.5),
    p99: at(sorted, 0.99),
    p999: at(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? NaN,
    issued: { p50: at(issued, 0.5), p99: at(issued, 0.99), p999: at(issued, 0.999) },
  };
}
