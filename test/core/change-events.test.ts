import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { changeEventBody, nextOutboundAttempt } from '../../src/core/change-events.js';
import {
  checkStandardWebhookSecret,
  standardWebhookHeaders,
} from '../../src/core/standard-webhooks.js';

const S = { baseMs: 1_000, maxMs: 60_000, giveUpMs: 24 * 3_600_000 };

describe('outbound retry schedule', () => {
  it('doubles from the base, caps at the maximum and lands the last attempt on the give-up time', () => {
    expect(nextOutboundAttempt(S, 1, 0, 0, null)).toBe(1_000);
    expect(nextOutboundAttempt(S, 2, 0, 0, null)).toBe(2_000);
    expect(nextOutboundAttempt(S, 4, 0, 0, null)).toBe(8_000);
    expect(nextOutboundAttempt(S, 20, 0, 0, null)).toBe(60_000);
    expect(nextOutboundAttempt(S, 20, 0, S.giveUpMs - 10, null)).toBe(S.giveUpMs);
    expect(nextOutboundAttempt(S, 21, 0, S.giveUpMs, null)).toBeNull();
  });

  it('waits at least what Retry-After asks', () => {
    expect(nextOutboundAttempt(S, 1, 0, 0, 120_000)).toBe(120_000);
  });

  it('keeps retrying for the whole window: no delivery dies before 24 hours', () => {
    let now = 0;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = nextOutboundAttempt(S, attempts, 0, now, null);
      if (next === null) break;
      now = next;
    }
    expect(now).toBeGreaterThanOrEqual(S.giveUpMs);
  });
});

describe('the Standard Webhooks signer', () => {
  const secret = `whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`;

  it('signs so that the official standardwebhooks library verifies', () => {
    const body = changeEventBody({
      type: 'suppression.added',
      at: Date.now(),
      data: {
        address: 'a@example.com',
        channel: 'email',
        scope: '*',
        reason: 'manual',
        source: 'manual',
        until: null,
      },
    });
    const headers = standardWebhookHeaders(secret, 'msg_1', Date.now(), body);
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'suppression.added' });
  });

  it('refuses short, long and malformed secrets', () => {
    expect(checkStandardWebhookSecret(secret)).toBeNull();
    expect(checkStandardWebhookSecret('whsec_c2hvcnQ=')).toMatch(/24 to 64/);
    expect(checkStandardWebhookSecret('whsec_not base64!')).toMatch(/24 to 64/);
  });
});
