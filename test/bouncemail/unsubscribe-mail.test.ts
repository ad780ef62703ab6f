import { describe, expect, it } from 'vitest';
import { unsubscribeTokensIn } from '../../src/bouncemail/index.js';

const TOKEN = 'eyJhIjoiYUBleGFtcGxlLmNvbSIsInMiOiIqIiwidCI6MX0.AAAAAAAAAAAAAAAAAAAAAA';

describe('mailto: unsubscribe addresses in a mail', () => {
  it('finds the token in Delivered-To, X-Original-To, To (any case of the domain) and the envelope', () => {
    for (const head of [
      `Delivered-To: unsubscribe+${TOKEN}@unsub.example.net`,
      `X-Original-To: unsubscribe+${TOKEN}@UNSUB.example.net`,
      `To: "Unsubscribe" <unsubscribe+${TOKEN}@unsub.example.net>`,
      `To: someone@example.com,\r\n unsubscribe+${TOKEN}@unsub.example.net`,
    ]) {
      const mail = Buffer.from(
        `${head}\r\nFrom: x@example.com\r\nSubject: unsubscribe\r\n\r\nbody\r\n`,
      );
      expect(unsubscribeTokensIn(mail, 'unsub.example.net')).toEqual([TOKEN]);
    }
    const bare = Buffer.from('From: x@example.com\r\n\r\nbody\r\n');
    expect(
      unsubscribeTokensIn(bare, 'unsub.example.net', [`unsubscribe+${TOKEN}@unsub.example.net`]),
    ).toEqual([TOKEN]);
  });

  it('ignores other domains, look-alike domains and addresses quoted in the body', () => {
    const mail = Buffer.from(
      [
        `To: unsubscribe+${TOKEN}@unsub.example.net.evil.com`,
        `Cc: unsubscribe+${TOKEN}@other.example`,
        'From: x@example.com',
        '',
        `Original-Recipient: rfc822; unsubscribe+${TOKEN}@unsub.example.net`,
        '',
      ].join('\r\n'),
    );
    expect(unsubscribeTokensIn(mail, 'unsub.example.net')).toEqual([]);
  });
});
