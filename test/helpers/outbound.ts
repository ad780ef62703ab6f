import type { TestApp } from './app.js';

/**
 * What the worker's outbound loop does after a change: send due deliveries round after round
 * (a delivered one can unblock the next change of its address) until a round delivers nothing.
 * Answers the last round's counts.
 */
export async function deliverAllDue(
  t: TestApp,
  limit?: number,
): Promise<Awaited<ReturnType<TestApp['services']['outbound']['deliverDue']>>> {
  for (;;) {
    const r = await t.services.outbound.deliverDue(limit);
    if (r.tried === 0 || r.delivered === 0) return r;
  }
}
