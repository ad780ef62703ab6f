import { describe, expect, it } from 'vitest';
import { scoreCorpus } from '../../bench/lib/bouncemail-score.js';

/**
 * The whole development corpus against Sisimai's expectations: a regression guard. The floors
 * sit just under the measured figures (see bench/RESULTS.md); raise them as accuracy improves.
 */
describe('bounce-mail corpus accuracy', () => {
  const s = scoreCorpus();

  it('finds the expected recipients', () => {
    expect(s.found / s.rows).toBeGreaterThanOrEqual(FLOORS.found);
  });

  it('agrees on severity and fine reason', () => {
    expect(s.severity / s.rows).toBeGreaterThanOrEqual(FLOORS.severity);
    expect(s.reason / s.rows).toBeGreaterThanOrEqual(FLOORS.reason);
  });

  it('reads the CRLF and CR copies exactly like the LF originals and finds nothing in non-bounces', () => {
    expect(s.lineEndingMismatches).toBe(0);
    expect(s.notFalsePositives).toBe(0);
    expect(s.mboxMessages).toBe(37);
  });
});

const FLOORS = { found: 0.98, severity: 0.97, reason: 0.9 };
