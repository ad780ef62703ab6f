import { describe, expect, it } from 'vitest';
import { looksLikeAwsOptOutList, parseAwsOptOutList } from '../../src/core/aws-opt-out-lists.js';
import { smsFixture } from '../helpers/sms-signers.js';

describe('AWS opt-out list exports', () => {
  it('recognises both documents by their first key, and never an NDJSON line', () => {
    expect(
      looksLikeAwsOptOutList(smsFixture('aws-sms', 'sns-list-phone-numbers-opted-out.json')),
    ).toBe(true);
    expect(looksLikeAwsOptOutList(smsFixture('aws-sms', 'describe-opted-out-numbers.json'))).toBe(
      true,
    );
    expect(looksLikeAwsOptOutList('{"address":"a@example.com","reason":"manual"}\n')).toBe(false);
  });

  it('reads SNS ListPhoneNumbersOptedOut output as account-wide SNS opt-outs', () => {
    expect(
      parseAwsOptOutList(smsFixture('aws-sms', 'sns-list-phone-numbers-opted-out.json')),
    ).toEqual({
      ok: true,
      kind: 'sns_opted_out',
      records: [
        { phone: '+15555550100', reason: 'sms_opt_out', source: 'sns' },
        { phone: '+447700900123', reason: 'sms_opt_out', source: 'sns' },
      ],
    });
  });

  it('reads DescribeOptedOutNumbers output with its timestamps and list name', () => {
    const r = parseAwsOptOutList(smsFixture('aws-sms', 'describe-opted-out-numbers.json'));
    expect(r).toMatchObject({
      ok: true,
      kind: 'aws_sms_opted_out',
      records: [
        {
          phone: '+14255550170',
          source: 'aws-sms',
          since: '2023-06-17T04:11:43.123000+00:00',
          metadata: { optOutListName: 'Default' },
        },
        { phone: '+14255550171', since: 1686975103.47 },
      ],
    });
  });

  it('reads pages written one after another, and explains a broken document', () => {
    const page = (n: string) => JSON.stringify({ phoneNumbers: [n] }, null, 2);
    const r = parseAwsOptOutList(`${page('+15555550101')}\n${page('+15555550102')}`);
    expect(r.ok && r.records.map((x) => x.phone)).toEqual(['+15555550101', '+15555550102']);
    expect(parseAwsOptOutList('{"phoneNumbers": [')).toMatchObject({ ok: false });
    expect(parseAwsOptOutList('{"nextToken": "x"}')).toEqual({
      ok: false,
      error: 'neither phoneNumbers nor OptedOutNumbers in the document',
    });
  });
});
