import { describe, expect, it } from 'vitest';
import {
  classifyInboxroadBounce,
  INBOXROAD_CATEGORIES,
} from '../../../src/providers/inboxroad/inboxroad-categories.js';

// Spec §5.2, every PowerMTA category: [bounceCat, severity, suppression reason, fine reason].
const ROWS: Array<[string, 'hard' | 'soft', 'hard_bounce' | 'soft_bounce' | null, string]> = [
  ['bad-mailbox', 'hard', 'hard_bounce', 'userunknown'],
  ['bad-domain', 'hard', 'hard_bounce', 'hostunknown'],
  ['inactive-mailbox', 'hard', 'hard_bounce', 'suspend'],
  ['quota-issues', 'soft', 'soft_bounce', 'mailboxfull'],
  ['no-answer-from-host', 'soft', 'soft_bounce', 'networkerror'],
  ['relaying-issues', 'soft', 'soft_bounce', 'norelaying'],
  ['routing-errors', 'soft', 'soft_bounce', 'networkerror'],
  ['message-expired', 'soft', 'soft_bounce', 'expired'],
  ['bad-configuration', 'soft', 'soft_bounce', 'systemerror'],
  ['bad-connection', 'soft', 'soft_bounce', 'networkerror'],
  ['content-related', 'soft', null, 'contenterror'],
  ['invalid-sender', 'soft', null, 'rejected'],
  ['policy-related', 'soft', null, 'policyviolation'],
  ['protocol-errors', 'soft', null, 'syntaxerror'],
  ['spam-related', 'soft', null, 'spamdetected'],
  ['virus-related', 'soft', null, 'virusdetected'],
];

describe('classifyInboxroadBounce', () => {
  it('covers every category of the table and nothing else', () => {
    expect(Object.keys(INBOXROAD_CATEGORIES).sort()).toEqual(ROWS.map(([cat]) => cat).sort());
  });

  it.each(ROWS)(
    'classifies %s as %s with reason %s (fine reason %s)',
    (cat, severity, reason, fineReason) => {
      // A DSN pointing the other way shows the category decides the verdict.
      const verdict = classifyInboxroadBounce(cat, {
        enhancedStatus: '4.0.0',
        diagnostic: 'temporary failure',
      });
      expect(verdict).toEqual({ severity, reason, fineReason, decidedBy: 'category' });
    },
  );

  it('reads categories case- and whitespace-insensitively', () => {
    expect(classifyInboxroadBounce(' Bad-Mailbox ', {})).toMatchObject({
      reason: 'hard_bounce',
      decidedBy: 'category',
    });
  });

  it('keeps the hard verdict of bad-mailbox even when the DSN text says something else', () => {
    expect(
      classifyInboxroadBounce('bad-mailbox', {
        enhancedStatus: '5.7.1',
        diagnostic: '550 5.7.1 blocked by policy',
      }),
    ).toMatchObject({
      severity: 'hard',
      reason: 'hard_bounce',
      fineReason: 'userunknown',
    });
  });

  it.each([
    ['other', '5.1.1', 'smtp;550 5.1.1 user unknown', 'hard', 'hard_bounce', 'userunknown'],
    ['other', '5.1.2', '550 5.1.2 host not found', 'hard', 'hard_bounce', 'hostunknown'],
    ['other', '5.1.10', '550 5.1.10 recipient not found', 'hard', 'hard_bounce', 'userunknown'],
    ['', '4.2.2', '452 4.2.2 mailbox full', 'soft', 'soft_bounce', 'mailboxfull'],
    [null, '5.7.1', '550 5.7.1 message rejected as spam', 'soft', null, 'spamdetected'],
    ['other', '4.4.7', null, 'soft', 'soft_bounce', 'expired'],
    ['my-custom-category', '5.0.0', null, 'undetermined', 'soft_bounce', 'undefined'],
    ['constructor', '5.1.1', null, 'hard', 'hard_bounce', 'userunknown'],
    ['success', '2.0.0', '250 2.0.0 OK', 'soft', null, 'delivered'],
  ])(
    'falls back to the shared classifier for category %j (status %s)',
    (cat, enhancedStatus, diagnostic, severity, reason, fineReason) => {
      expect(classifyInboxroadBounce(cat, { enhancedStatus, diagnostic })).toEqual({
        severity,
        reason,
        fineReason,
        decidedBy: 'classifier',
      });
    },
  );
});
