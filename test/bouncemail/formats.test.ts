import { describe, expect, it } from 'vitest';
import { parseBounceMail } from '../../src/bouncemail/index.js';

/** Families absent from the development corpus, written from each MTA's documented template. */
const QMAIL = `From: MAILER-DAEMON@mx.example.com
To: sender@example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.com.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<kijitora@example.jp>:
192.0.2.1 does not like recipient.
Remote host said: 550 sorry, no mailbox here by that name. (#5.1.1)
Giving up on 192.0.2.1.

<nohost@nonexistent.example>:
Sorry, I couldn't find any host named nonexistent.example. (#5.1.2)

--- Below this line is a copy of the message.

Return-Path: <sender@example.org>
Message-ID: <abc@example.org>
From: sender@example.org
To: kijitora@example.jp
Subject: hi

body
`;

const OPENSMTPD = `From: MAILER-DAEMON@mx.example.com
To: sender@example.org
Subject: Delivery status notification: error

Hi!

This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.

An error has occurred while attempting to deliver a message for
the following list of recipients:

kijitora@example.jp: 550 5.2.2 <kijitora@example.jp>: Mailbox full

Below is a copy of the original message:

Message-ID: <abc@example.org>
From: sender@example.org
To: kijitora@example.jp

body
`;

const MESSAGING_SERVER = `From: Internet Mail Delivery <postmaster@mx.example.com>
To: sender@example.org
Subject: Delivery Notification: Delivery has failed
Content-Type: text/plain

This report relates to a message you sent with the following header fields:

  Message-id: <abc@example.org>
  From: sender@example.org
  To: kijitora@example.jp
  Subject: hi

Your message cannot be delivered to the following recipients:

  Recipient address: kijitora@example.jp
  Reason: Remote SMTP server has rejected address
  Diagnostic code: smtp;550 5.1.1 <kijitora@example.jp>... User Unknown
  Remote system: dns;mx.example.jp (TCP|192.0.2.1|25|192.0.2.2|25)
`;

const NOTES = `From: Postmaster <postmaster@notes.example.com>
To: sender@example.org
Subject: Undeliverable message

------- Failure Reasons  --------

User not listed in public Name & Address Book
kijitora@example.jp

------- Returned Message --------
Message-ID: <abc@example.org>
From: sender@example.org
To: kijitora@example.jp

body
`;

const IMAIL = `From: MAILER-DAEMON@imail.example.com
To: sender@example.org
Subject: Undeliverable Mail

Unknown user: kijitora@example.jp

Original message follows.

Message-ID: <abc@example.org>
From: sender@example.org
To: kijitora@example.jp

body
`;

const SENDMAIL_DEFERRED = `From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
To: sender@example.org
Subject: Returned mail: see transcript for details

   ----- Transcript of session follows -----
<kijitora@example.jp>... Deferred: Connection timed out with mx.example.jp.
Message could not be delivered for 5 days
Message will be deleted from queue

   ----- Original message follows -----
Message-ID: <abc@example.org>
From: sender@example.org

body
`;

const EXIM_ALIAS = `From: Mail Delivery System <Mailer-Daemon@mx.example.org>
To: sender@example.org
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  an undisclosed address
    (generated from kijitora@example.jp)
    all relevant MX records point to non-existent hosts
  mikeneko@example.org
    Unrouteable address

----- This is a copy of the message, including all the headers. ------
Message-ID: <abc@example.org>
From: sender@example.org

body
`;

const DRAGONFLY = `From: MAILER-DAEMON <>
To: kijitora@df.example.jp
Subject: Mail delivery failed

This is the DragonFly Mail Agent v0.13 at df.example.jp.

There was an error delivering your mail to <kijitora@example.com>.

email.example.jp [192.0.2.25] did not like our RCPT TO:
552 5.2.2 <kijitora@example.com>: Recipient address rejected: Mailbox full

Original message follows.

Message-ID: <abc@df.example.jp>
From: kijitora@df.example.jp

body
`;

const GMAIL_STATE = `From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: sender@gmail.com
Subject: Delivery Status Notification (Failure)

Delivery to the following recipient failed permanently:

     kijitora@example.jp

Technical details of permanent failure:
Google tried to deliver your message, but it was rejected by the recipient domain. We recommend
contacting the other email provider for further information about the cause of this error. The
error that the other server returned was: 550 550 <kijitora@example.jp>: No such user here (state 17).

----- Original message -----

Message-ID: <abc@mail.gmail.com>
From: sender@gmail.com

body
`;

const EXCHANGE_X400 = `From: System Administrator <postmaster@example.com>
To: sender@example.org
Subject: Undeliverable: hi

Your message

  To:      neko@example.com
  Subject: hi
  Sent:    Fri, 4 Oct 2002 12:00:00 +0900

did not reach the following recipient(s):

c=US;a= ;p=neko;o=kijitora;cat:SMTP=NEKOCHAN@EXAMPLE.COM; on Fri, 4 Oct 2002 12:00:01 +0900
    The recipient name is not recognized
    MSEXCH:IMS:NEKO:KIJITORA:CAT 0 (000C05A6) Unknown Recipient
`;

const rows = (raw: string) =>
  parseBounceMail(Buffer.from(raw)).recipients.map((r) => [
    r.recipient,
    r.enhancedStatus,
    r.fineReason,
    r.severity,
  ]);

describe('notices of MTAs outside the corpus', () => {
  it('reads every address block of a qmail notice and the original after its marker', () => {
    expect(rows(QMAIL)).toEqual([
      ['kijitora@example.jp', '5.1.1', 'userunknown', 'hard'],
      ['nohost@nonexistent.example', '5.1.2', 'hostunknown', 'hard'],
    ]);
    expect(parseBounceMail(Buffer.from(QMAIL)).recipients[0]?.originalMessageId).toBe(
      'abc@example.org',
    );
  });

  it('reads an OpenSMTPD notice', () => {
    expect(rows(OPENSMTPD)).toEqual([['kijitora@example.jp', '5.2.2', 'mailboxfull', 'soft']]);
  });

  it('reads a Sun/Oracle Messaging Server notice without taking the quoted To: line for a recipient', () => {
    expect(rows(MESSAGING_SERVER)).toEqual([
      ['kijitora@example.jp', '5.1.1', 'userunknown', 'hard'],
    ]);
  });

  it('reads a Lotus Notes notice, whose reason comes before the address', () => {
    expect(rows(NOTES)).toEqual([['kijitora@example.jp', null, 'userunknown', 'hard']]);
  });

  it('reads an IMail notice ("Unknown user: address")', () => {
    expect(rows(IMAIL)).toEqual([['kijitora@example.jp', null, 'userunknown', 'hard']]);
  });

  it('reads a Sendmail text notice whose address line ends in "..."', () => {
    expect(rows(SENDMAIL_DEFERRED)).toEqual([['kijitora@example.jp', null, 'expired', 'soft']]);
  });

  it('reads Exim aliases ("an undisclosed address (generated from …)") and unroutable addresses', () => {
    expect(rows(EXIM_ALIAS)).toEqual([
      ['kijitora@example.jp', null, 'hostunknown', 'hard'],
      ['mikeneko@example.org', null, 'hostunknown', 'hard'],
    ]);
  });

  it('reads a DragonFly Mail Agent notice', () => {
    expect(rows(DRAGONFLY)).toEqual([['kijitora@example.com', '5.2.2', 'mailboxfull', 'soft']]);
  });

  it('reads the "(state N)" step of an old Gmail notice: 17 is a refusal after DATA', () => {
    expect(rows(GMAIL_STATE)).toEqual([['kijitora@example.jp', null, 'filtered', 'soft']]);
    expect(rows(GMAIL_STATE.replace('(state 17)', '(state 14)'))).toEqual([
      ['kijitora@example.jp', null, 'userunknown', 'hard'],
    ]);
  });

  it('reads an Exchange 2003 notice with an X.400 recipient and its MSEXCH code', () => {
    expect(rows(EXCHANGE_X400)).toEqual([['nekochan@example.com', null, 'userunknown', 'hard']]);
    expect(rows(EXCHANGE_X400.replace('(000C05A6)', '(000C0595)'))).toEqual([
      ['nekochan@example.com', null, 'filtered', 'soft'],
    ]);
  });

  it('reads a CRLF copy of a synthetic notice the same way', () => {
    expect(rows(QMAIL.replace(/\n/g, '\r\n'))).toEqual(rows(QMAIL));
  });
});

describe('mail that only talks about bounces', () => {
  it("finds nothing in a person's reply about a delivery problem", () => {
    const reply =
      'From: Alice <alice@example.com>\nTo: support@example.org\nSubject: Re: Undelivered Mail Returned to Sender\n\nHi,\n\nbob@example.com\nis my new address; the old one had a delivery problem.\n';
    expect(parseBounceMail(Buffer.from(reply))).toMatchObject({ kind: 'none', recipients: [] });
  });

  it('finds nothing in a note to postmaster that names addresses', () => {
    const note =
      'From: carol@example.com\nTo: postmaster@example.org\nSubject: question\n\ndave@example.net\nPlease add this address to the list.\n';
    expect(parseBounceMail(Buffer.from(note))).toMatchObject({ kind: 'none', recipients: [] });
  });
});

describe('addresses that are not the failed recipient', () => {
  it('drops the postmaster contact and the original sender when real recipients are listed', () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example.com',
      'To: sender@example.org',
      'Subject: Undelivered Mail Returned to Sender',
      '',
      'I could not deliver your message to these recipients:',
      '',
      '<kijitora@example.jp>: 550 5.1.1 user unknown (in reply to RCPT TO command)',
      '',
      'sender@example.org',
      'is the address that sent it. For help write to',
      'postmaster@mx.example.com',
      '',
    ].join('\n');
    expect(parseBounceMail(Buffer.from(raw)).recipients.map((r) => r.recipient)).toEqual([
      'kijitora@example.jp',
    ]);
  });
});

describe('read receipts', () => {
  it('finds nothing in an RFC 8098 disposition notification', () => {
    const mdn = [
      'From: bob@example.net',
      'To: alice@example.com',
      'Subject: Read: hello',
      'Auto-Submitted: auto-replied',
      'Content-Type: multipart/report; report-type=disposition-notification; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Your message was displayed.',
      '--b',
      'Content-Type: message/disposition-notification',
      '',
      'Final-Recipient: rfc822; bob@example.net',
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '--b--',
      '',
    ].join('\n');
    expect(parseBounceMail(Buffer.from(mdn))).toMatchObject({ kind: 'none', recipients: [] });
  });
});
