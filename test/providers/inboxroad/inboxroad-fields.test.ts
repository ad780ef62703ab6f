import { describe, expect, it } from 'vitest';
import { parseDsn, parseTimeLogged } from '../../../src/providers/inboxroad/inboxroad-fields.js';

describe('parseTimeLogged', () => {
  it.each([
    ['1695222842', 1695222842000],
    [1695222842, 1695222842000],
    ['1695222842.5', 1695222842500],
    [1695222842123, 1695222842123],
    ['2023-09-20 15:14:02+0000', Date.UTC(2023, 8, 20, 15, 14, 2)],
    ['2023-09-20 17:14:02+0200', Date.UTC(2023, 8, 20, 15, 14, 2)],
    ['2023-09-20 10:14:02-05:00', Date.UTC(2023, 8, 20, 15, 14, 2)],
    ['2023-09-20T15:14:02Z', Date.UTC(2023, 8, 20, 15, 14, 2)],
    ['20/09/2023', null],
    [null, null],
  ])('reads %j as %j', (input, expected) => {
    expect(parseTimeLogged(input)).toBe(expected);
  });
});

describe('parseDsn', () => {
  it('takes the enhanced status from dsnStatus and the SMTP code and text from dsnDiag', () => {
    expect(
      parseDsn('5.1.1 (bad destination mailbox address)', 'smtp;550 5.1.1 <x@y.org>: user unknown'),
    ).toEqual({
      enhancedStatus: '5.1.1',
      smtpCode: '550',
      diagnostic: '550 5.1.1 <x@y.org>: user unknown',
    });
  });

  it('falls back to the enhanced status inside dsnDiag and copes with missing parts', () => {
    expect(parseDsn(null, 'smtp; 452-4.2.2 The email account is over quota')).toEqual({
      enhancedStatus: '4.2.2',
      smtpCode: '452',
      diagnostic: '452-4.2.2 The email account is over quota',
    });
    expect(parseDsn(null, 'X-PowerMTA; connection timed out')).toEqual({
      enhancedStatus: null,
      smtpCode: null,
      diagnostic: 'connection timed out',
    });
    expect(parseDsn(null, null)).toEqual({
      enhancedStatus: null,
      smtpCode: null,
      diagnostic: null,
    });
  });
});
