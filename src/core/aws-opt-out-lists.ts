/**
 * Opt-out lists exported from AWS, turned into import records: Amazon SNS
 * `ListPhoneNumbersOptedOut` output (`{"phoneNumbers": [...], "nextToken": ...}`) and AWS End
 * User Messaging SMS `DescribeOptedOutNumbers` output (`{"OptedOutNumbers": [{"OptedOutNumber",
 * "OptedOutTimestamp"}], "OptOutListName", ...}`). SNS SMS has no webhook (spec C §14.1, §14.4):
 * these exports are the only way its opt-outs reach Bouncer. Pure: text in, records out.
 */

export type AwsOptOutKind = 'sns_opted_out' | 'aws_sms_opted_out';

/** How much of a document is read before giving up: ~3 million numbers. */
export const AWS_OPT_OUT_MAX_BYTES = 64 * 1024 * 1024;

const HEAD =
  /^\s*\{\s*"(phoneNumbers|nextToken|OptedOutNumbers|OptOutListArn|OptOutListName|NextToken)"\s*:/;

/** Whether the start of an input is one of these documents (NDJSON lines never start so). */
export function looksLikeAwsOptOutList(head: string): boolean {
  return HEAD.test(head);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export type AwsOptOutParse =
  | { ok: true; kind: AwsOptOutKind; records: Array<Record<string, unknown>> }
  | { ok: false; error: string };

/**
 * The records of one document, or of several concatenated (one per page, as `aws … --no-paginate`
 * writes them), each `{phone, reason: sms_opt_out, source, since?}`.
 */
export function parseAwsOptOutList(text: string): AwsOptOutParse {
  const docs: unknown[] = [];
  try {
    docs.push(JSON.parse(text));
  } catch {
    // Pages written one after another: `}{` or `}\n{` between documents.
    try {
      docs.push(...(JSON.parse(`[${text.replace(/\}\s*\{/g, '},{')}]`) as unknown[]));
    } catch (err) {
      return { ok: false, error: `not a JSON document (${(err as Error).message})` };
    }
  }
  const records: Array<Record<string, unknown>> = [];
  let kind: AwsOptOutKind | null = null;
  for (const doc of docs) {
    if (!isObject(doc)) return { ok: false, error: 'expected a JSON object' };
    if (Array.isArray(doc.phoneNumbers)) {
      kind ??= 'sns_opted_out';
      // The account-wide SNS list: a number here is refused for every SNS SMS send.
      for (const n of doc.phoneNumbers)
        records.push({ phone: n, reason: 'sms_opt_out', source: 'sns' });
    } else if (Array.isArray(doc.OptedOutNumbers)) {
      kind ??= 'aws_sms_opted_out';
      const list = typeof doc.OptOutListName === 'string' ? doc.OptOutListName : null;
      for (const n of doc.OptedOutNumbers) {
        const entry = isObject(n) ? n : {};
        records.push({
          phone: entry.OptedOutNumber,
          reason: 'sms_opt_out',
          source: 'aws-sms',
          since: entry.OptedOutTimestamp,
          ...(list ? { metadata: { optOutListName: list } } : {}),
        });
      }
    } else return { ok: false, error: 'neither phoneNumbers nor OptedOutNumbers in the document' };
  }
  return kind === null ? { ok: false, error: 'empty document' } : { ok: true, kind, records };
}
