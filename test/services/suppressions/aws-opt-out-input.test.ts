import { describe, expect, it } from 'vitest';
import { awsOptOutListOr } from '../../../src/services/suppressions/aws-opt-out-input.js';
import { smsFixture } from '../../helpers/sms-signers.js';

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function collect(input: AsyncIterable<Uint8Array | string>): Promise<string> {
  let out = '';
  for await (const c of input) out += typeof c === 'string' ? c : Buffer.from(c).toString();
  return out;
}

describe('the AWS opt-out list reader of imports', () => {
  it('recognises a document arriving in 7-byte chunks and turns it into NDJSON records', async () => {
    const r = await awsOptOutListOr(
      chunks(smsFixture('aws-sms', 'sns-list-phone-numbers-opted-out.json'), 7),
    );
    expect(r.kind).toBe('sns_opted_out');
    expect((await collect(r.input)).split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { phone: '+15555550100', reason: 'sms_opt_out', source: 'sns' },
      { phone: '+447700900123', reason: 'sms_opt_out', source: 'sns' },
    ]);
  });

  it('passes any other NDJSON through byte for byte', async () => {
    const ndjson =
      '{"address":"a@example.com","reason":"manual"}\n{"phone":"+15555550100"}\n'.repeat(20);
    const r = await awsOptOutListOr(chunks(ndjson, 5));
    expect(r.kind).toBeUndefined();
    expect(await collect(r.input)).toBe(ndjson);
  });
});
