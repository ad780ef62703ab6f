import { describe, expect, it } from 'vitest';
import { parseBounceMail, splitMbox } from '../../src/bouncemail/index.js';
import { bounceMail } from './helpers.js';

const brief = (raw: Buffer) =>
  parseBounceMail(raw).recipients.map((r) => [r.recipient, r.severity, r.fineReason]);

// Mails written from each MTA's published notice text (qmail-send's bounce, vpopmail's
// "no mailbox here by that name", OpenSMTPD's MAILER-DAEMON notice, IMail, Lotus Domino,
// DragonFly Mail Agent, Yahoo's failure notice, McAfee, SurfControl, MailFoundry, Active!hunter,
// the unnamed MTAs Sisimai lists as X1, X2, X3 and X6, fml, au/EZweb, KDDI, Verizon, Biglobe,
// Apache James, MailMarshal, Sun/Oracle Messaging Server, Exchange 2007).
describe('plain-text notices of MTA families', () => {
  it.each([
    [
      'qmail.eml',
      [
        ['gone.user@example.net', 'hard', 'userunknown'],
        ['busy.user@example.net', 'soft', 'mailboxfull'],
      ],
    ],
    ['qmail-vpopmail.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['opensmtpd.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['imail.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['domino.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['dragonfly.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['yahoo.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['mcafee.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['surfcontrol.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    // "No such user here" / "[User unknown]" without the command: read as Sisimai does.
    ['mailfoundry.eml', [['gone.user@example.net', 'soft', 'filtered']]],
    ['activehunter.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['x1.eml', [['gone.user@example.net', 'soft', 'filtered']]],
    ['x2.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['x3.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['x6.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['ezweb.eml', [['no.longer@ezweb.ne.jp', 'hard', 'userunknown']]],
    ['kddi.eml', [['full.box@example.au.example', 'soft', 'mailboxfull']]],
    ['verizon.eml', [['5555550100@vtext.com', 'hard', 'userunknown']]],
    ['biglobe.eml', [['full.user@mail.biglobe.ne.jp', 'soft', 'mailboxfull']]],
    ['apachejames.eml', [['gone.user@example.net', 'soft', 'filtered']]],
    ['mailmarshal.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['messagingserver.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['exchange2007.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['notes.eml', [['gone.user@notes.example.org', 'hard', 'userunknown']]],
    ['mfilter.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['interscan.eml', [['gone.user@example.net', 'hard', 'userunknown']]],
    ['zoho.eml', [['gone.user@example.net', 'soft', 'filtered']]],
    // Courier's "DNS lookup failed." is its soft error: never an unknown host.
    ['courier.eml', [['later@example.net', 'soft', 'networkerror']]],
    // Each recipient keeps its own diagnostic lines: no bleeding into the next one.
    [
      'notice-two-recipients.eml',
      [
        ['gone.user@example.net', 'hard', 'userunknown'],
        ['busy.user@example.org', 'soft', 'mailboxfull'],
      ],
    ],
    // The list refuses the sender: nothing to suppress.
    ['fml.eml', [['news@lists.example.org', 'soft', 'rejected']]],
  ])('%s', (name, expected) => {
    expect(brief(bounceMail(name))).toEqual(expected);
  });
});

describe('recipients that used to be missed', () => {
  it('reads a standard report forwarded as an attached message/rfc822', () => {
    expect(brief(bounceMail('forwarded-report.eml'))).toEqual([
      ['forwarded.gone@example.net', 'hard', 'userunknown'],
    ]);
  });

  it("prefers the forwarded report over the forward's own text", () => {
    expect(brief(bounceMail('forwarded-report-quoted.eml'))).toEqual([
      ['forwarded.gone@example.net', 'hard', 'userunknown'],
    ]);
  });

  it('falls back to Original-Recipient when Final-Recipient is unusable', () => {
    expect(brief(bounceMail('rfc3464-unusable-final-recipient.eml'))).toEqual([
      ['real.target@example.net', 'hard', 'userunknown'],
    ]);
  });

  it('splits an mbox whose next From line follows a closing boundary without a blank line', () => {
    const parts = splitMbox(bounceMail('mbox-no-blank-line.mbox'));
    expect(parts.map((p) => parseBounceMail(p).recipients.map((r) => r.recipient))).toEqual([
      ['unknown.user@example.net'],
      ['no.such.user@example.com', 'full.mailbox@example.com'],
    ]);
  });

  it.each([
    ['notice-to-colon.eml', 'gone.user@example.net'],
    ['notice-french.eml', 'gone.user@example.fr'],
    ['notice-german.eml', 'gone.user@example.de'],
    ['notice-address-not-available.eml', 'team@groups.example.org'],
    ['notice-mail-from-line.eml', 'moved.away@example.net'],
    ['notice-mail-from-only.eml', 'moved.away@example.net'],
  ])(
    'finds the recipient of %s (wording the gate did not know, address after a colon)',
    (name, rcpt) => {
      expect(brief(bounceMail(name)).map((r) => r[0])).toEqual([rcpt]);
    },
  );

  it('reads a notice whose wording has no stock failure phrase', () => {
    expect(brief(bounceMail('notice-plain-wording.eml')).map((r) => r[0])).toEqual([
      'gone.user@example.net',
    ]);
  });
});
