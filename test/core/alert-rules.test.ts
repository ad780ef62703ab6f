import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES, groupLabel, judgeRate } from '../../src/core/alert-rules.js';

const bounce = DEFAULT_ALERT_RULES.bounceRate;

describe('judgeRate', () => {
  it('leaves a rate below the minimum volume unjudged', () => {
    expect(judgeRate(bounce, 50, 99)).toBeNull();
  });

  it('is ok at exactly the warning threshold and warns just above it', () => {
    expect(judgeRate(bounce, 5, 100)).toEqual({ severity: null, percent: 5, threshold: 5 });
    expect(judgeRate(bounce, 6, 100)).toMatchObject({ severity: 'warning', threshold: 5 });
  });

  it('is critical above the critical threshold (seed 000: 6.5 % warns, 10 % is the danger line)', () => {
    expect(judgeRate(bounce, 3_247, 50_000)).toMatchObject({ severity: 'warning' });
    expect(judgeRate(bounce, 11, 100)).toMatchObject({ severity: 'critical', threshold: 10 });
  });

  it('judges complaint rates in tenths of a percent', () => {
    const r = DEFAULT_ALERT_RULES.complaintRate;
    expect(judgeRate(r, 1, 1_000)).toMatchObject({ severity: null });
    expect(judgeRate(r, 2, 1_000)).toMatchObject({ severity: 'warning' });
    expect(judgeRate(r, 4, 1_000)).toMatchObject({ severity: 'critical' });
  });
});

describe('groupLabel', () => {
  it('names the group, or * for an ungrouped rule', () => {
    expect(groupLabel('none', '*')).toBe('*');
    expect(groupLabel('provider', 'sendgrid')).toBe('provider=sendgrid');
    expect(groupLabel('campaign', '')).toBe('campaign=(none)');
  });
});
