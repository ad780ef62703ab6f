/**
 * Alert rules: their settings (defaults, validation) and the pure judgement of measured values.
 * The queries that measure live in storage; the state machine (fire once, resolve) in services.
 */
export const ALERT_GROUPINGS = ['none', 'provider', 'campaign', 'domain'] as const;
export type AlertGrouping = (typeof ALERT_GROUPINGS)[number];

export const ALERT_RULES = [
  'suppression_spike',
  'bounce_rate',
  'complaint_rate',
  'dead_deliveries',
  'backlog_age',
] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];

export type AlertSeverity = 'warning' | 'critical';

export interface RateRule {
  enabled: boolean;
  /** Percentages: 5 means 5 %. */
  warningPercent: number;
  criticalPercent: number;
  windowMinutes: number;
  /** Below this many sends (the rate's denominator) in the window the rate is not judged. */
  minVolume: number;
  groupBy: AlertGrouping;
}

export interface AlertRules {
  /** How often the worker process evaluates the rules and retries notifications. */
  intervalSeconds: number;
  suppressionSpike: {
    enabled: boolean;
    threshold: number;
    windowMinutes: number;
    groupBy: Exclude<AlertGrouping, 'campaign'>;
  };
  /** bounces / (delivered + bounces). */
  bounceRate: RateRule;
  /** complaints / delivered. */
  complaintRate: RateRule;
  deadDeliveries: { enabled: boolean; threshold: number; groupBy: 'none' | 'provider' };
  backlog: { enabled: boolean; maxAgeMinutes: number };
}

export const DEFAULT_ALERT_RULES: AlertRules = {
  intervalSeconds: 30,
  suppressionSpike: { enabled: true, threshold: 100, windowMinutes: 60, groupBy: 'none' },
  bounceRate: {
    enabled: true,
    warningPercent: 5,
    criticalPercent: 10,
    windowMinutes: 60,
    minVolume: 100,
    groupBy: 'none',
  },
  complaintRate: {
    enabled: true,
    warningPercent: 0.1,
    criticalPercent: 0.3,
    windowMinutes: 60,
    minVolume: 100,
    groupBy: 'none',
  },
  deadDeliveries: { enabled: true, threshold: 1, groupBy: 'none' },
  backlog: { enabled: true, maxAgeMinutes: 5 },
};

type Fail = (problem: string) => never;

function obj(v: unknown, where: string, fail: Fail): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail(`${where} must be a JSON object`);
  return v as Record<string, unknown>;
}

function num(
  o: Record<string, unknown>,
  key: string,
  fallback: number,
  where: string,
  fail: Fail,
  min = 0,
): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    return fail(`${where}.${key} must be a number >= ${min}`);
  return v;
}

function bool(
  o: Record<string, unknown>,
  key: string,
  fallback: boolean,
  where: string,
  fail: Fail,
): boolean {
  const v = o[key] ?? fallback;
  if (typeof v !== 'boolean') return fail(`${where}.${key} must be true or false`);
  return v;
}

function oneOf<T extends string>(
  o: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: T,
  where: string,
  fail: Fail,
): T {
  const v = o[key] ?? fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    return fail(`${where}.${key} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function rateRule(raw: unknown, d: RateRule, where: string, fail: Fail): RateRule {
  const o = obj(raw, where, fail);
  const rule: RateRule = {
    enabled: bool(o, 'enabled', d.enabled, where, fail),
    warningPercent: num(o, 'warningPercent', d.warningPercent, where, fail),
    criticalPercent: num(o, 'criticalPercent', d.criticalPercent, where, fail),
    windowMinutes: num(o, 'windowMinutes', d.windowMinutes, where, fail, 1),
    minVolume: num(o, 'minVolume', d.minVolume, where, fail, 1),
    groupBy: oneOf(o, 'groupBy', ALERT_GROUPINGS, d.groupBy, where, fail),
  };
  if (rule.criticalPercent < rule.warningPercent)
    fail(`${where}.criticalPercent must not be below warningPercent`);
  return rule;
}

/** Parse BOUNCER_ALERTS: every key optional, laid over the defaults rule by rule. */
export function parseAlertRules(raw: unknown, fail: Fail): AlertRules {
  const d = DEFAULT_ALERT_RULES;
  const o = obj(raw, 'BOUNCER_ALERTS', fail);
  const known = [
    'intervalSeconds',
    'suppressionSpike',
    'bounceRate',
    'complaintRate',
    'deadDeliveries',
    'backlog',
  ];
  for (const k of Object.keys(o))
    if (!known.includes(k))
      fail(`BOUNCER_ALERTS has unknown key "${k}" (known: ${known.join(', ')})`);
  const spike = obj(o.suppressionSpike, 'suppressionSpike', fail);
  const dead = obj(o.deadDeliveries, 'deadDeliveries', fail);
  const backlog = obj(o.backlog, 'backlog', fail);
  return {
    intervalSeconds: num(o, 'intervalSeconds', d.intervalSeconds, 'BOUNCER_ALERTS', fail, 1),
    suppressionSpike: {
      enabled: bool(spike, 'enabled', d.suppressionSpike.enabled, 'suppressionSpike', fail),
      threshold: num(spike, 'threshold', d.suppressionSpike.threshold, 'suppressionSpike', fail, 1),
      windowMinutes: num(
        spike,
        'windowMinutes',
        d.suppressionSpike.windowMinutes,
        'suppressionSpike',
        fail,
        1,
      ),
      groupBy: oneOf(
        spike,
        'groupBy',
        ['none', 'provider', 'domain'] as const,
        d.suppressionSpike.groupBy,
        'suppressionSpike',
        fail,
      ),
    },
    bounceRate: rateRule(o.bounceRate, d.bounceRate, 'bounceRate', fail),
    complaintRate: rateRule(o.complaintRate, d.complaintRate, 'complaintRate', fail),
    deadDeliveries: {
      enabled: bool(dead, 'enabled', d.deadDeliveries.enabled, 'deadDeliveries', fail),
      threshold: num(dead, 'threshold', d.deadDeliveries.threshold, 'deadDeliveries', fail, 1),
      groupBy: oneOf(
        dead,
        'groupBy',
        ['none', 'provider'] as const,
        d.deadDeliveries.groupBy,
        'deadDeliveries',
        fail,
      ),
    },
    backlog: {
      enabled: bool(backlog, 'enabled', d.backlog.enabled, 'backlog', fail),
      maxAgeMinutes: num(backlog, 'maxAgeMinutes', d.backlog.maxAgeMinutes, 'backlog', fail, 1),
    },
  };
}

/** A rule's verdict for one group: firing (with severity) or ok. */
export interface AlertVerdict {
  rule: AlertRuleName;
  group: string;
  firing: boolean;
  severity: AlertSeverity | null;
  value: number;
  threshold: number;
  message: string;
}

/** Judge a rate against its thresholds; null when the volume is too small to judge. */
export function judgeRate(
  rule: RateRule,
  numerator: number,
  denominator: number,
): { severity: AlertSeverity | null; percent: number; threshold: number } | null {
  if (denominator < rule.minVolume) return null;
  const percent = (numerator / denominator) * 100;
  if (percent > rule.criticalPercent)
    return { severity: 'critical', percent, threshold: rule.criticalPercent };
  if (percent > rule.warningPercent)
    return { severity: 'warning', percent, threshold: rule.warningPercent };
  return { severity: null, percent, threshold: rule.warningPercent };
}

/** `provider=drip`, or `*` for an ungrouped rule. */
export function groupLabel(by: AlertGrouping, group: string): string {
  return by === 'none' ? '*' : `${by}=${group === '' ? '(none)' : group}`;
}
