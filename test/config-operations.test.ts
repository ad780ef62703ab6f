import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('operations configuration', () => {
  it('defaults to the alert thresholds of the issue and an open /metrics', () => {
    const c = parseConfig({});
    expect(c.metrics.token).toBeNull();
    expect(c.alerts.rules).toMatchObject({
      intervalSeconds: 30,
      suppressionSpike: { threshold: 100, windowMinutes: 60 },
      bounceRate: { warningPercent: 5, criticalPercent: 10, minVolume: 100 },
      complaintRate: { warningPercent: 0.1, criticalPercent: 0.3 },
      backlog: { maxAgeMinutes: 5 },
    });
    expect(c.dashboard.sessionTtlMs).toBe(12 * 3_600_000);
  });

  it('lays BOUNCER_ALERTS over the defaults rule by rule', () => {
    const c = parseConfig({
      BOUNCER_ALERTS: JSON.stringify({
        bounceRate: { criticalPercent: 8, groupBy: 'campaign' },
        backlog: { enabled: false },
      }),
    });
    expect(c.alerts.rules.bounceRate).toEqual({
      enabled: true,
      warningPercent: 5,
      criticalPercent: 8,
      windowMinutes: 60,
      minVolume: 100,
      groupBy: 'campaign',
    });
    expect(c.alerts.rules.backlog).toEqual({ enabled: false, maxAgeMinutes: 5 });
    expect(c.alerts.rules.complaintRate.warningPercent).toBe(0.1);
  });

  it('accepts a signed webhook with a whsec_ secret', () => {
    const c = parseConfig({
      BOUNCER_ALERT_WEBHOOK_URL: 'https://hooks.example.com/bouncer',
      BOUNCER_ALERT_WEBHOOK_SECRET: SECRET,
      BOUNCER_ALERT_SLACK_URL: 'https://hooks.slack.com/services/x',
    });
    expect(c.alerts).toMatchObject({
      webhookUrl: 'https://hooks.example.com/bouncer',
      webhookSecret: SECRET,
      slackUrl: 'https://hooks.slack.com/services/x',
    });
  });

  it.each([
    [{ BOUNCER_METRICS_TOKEN: 'short' }, 'BOUNCER_METRICS_TOKEN'],
    [
      { BOUNCER_ALERTS: '{"bounceRate":{"warningPercent":"five"}}' },
      'BOUNCER_ALERTS bounceRate.warningPercent',
    ],
    [
      { BOUNCER_ALERTS: '{"bounceRate":{"warningPercent":20}}' },
      'BOUNCER_ALERTS bounceRate.criticalPercent',
    ],
    [
      { BOUNCER_ALERTS: '{"suppressionSpike":{"groupBy":"campaign"}}' },
      'BOUNCER_ALERTS suppressionSpike.groupBy',
    ],
    [{ BOUNCER_ALERTS: '{"bounce":{}}' }, 'BOUNCER_ALERTS has unknown key "bounce"'],
    [{ BOUNCER_ALERTS: '[1]' }, 'BOUNCER_ALERTS must be a JSON object'],
    [{ BOUNCER_ALERT_SLACK_URL: 'hooks.slack.com' }, 'BOUNCER_ALERT_SLACK_URL'],
    [
      { BOUNCER_ALERT_WEBHOOK_URL: 'https://h.example.com' },
      'BOUNCER_ALERT_WEBHOOK_SECRET is required',
    ],
    [
      {
        BOUNCER_ALERT_WEBHOOK_URL: 'https://h.example.com',
        BOUNCER_ALERT_WEBHOOK_SECRET: 'whsec_c2hvcnQ=',
      },
      'BOUNCER_ALERT_WEBHOOK_SECRET must be whsec_',
    ],
    [{ BOUNCER_SESSION_TTL_HOURS: '0' }, 'BOUNCER_SESSION_TTL_HOURS'],
  ])('refuses %j naming the setting', (source, named) => {
    expect(() => parseConfig(source)).toThrow(named);
  });
});
