/**
 * Pattern 2: filter a campaign list of any length, streaming: the file is read, sent and
 * answered line by line, so memory stays flat for millions of recipients.
 * Run: BOUNCER_URL=… BOUNCER_API_KEY=… npx tsx examples/filter-campaign.ts list.ndjson allowed.ndjson
 * (list.ndjson: one {"email": "…", "name": "…"} per line.)
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { BouncerClient, type FilterSummary } from 'bouncer/client';

export interface Recipient {
  email: string;
  name?: string;
}

/** The rows of an NDJSON file, one at a time. */
export async function* readNdjson<T>(path: string): AsyncGenerator<T> {
  for await (const line of createInterface({
    input: createReadStream(path),
    crlfDelay: Infinity,
  })) {
    if (line.trim() !== '') yield JSON.parse(line) as T;
  }
}

/** Write the allowed rows of `input` to `outPath` (NDJSON) and answer the summary. */
export async function filterCampaign(
  client: BouncerClient,
  input: AsyncIterable<Recipient> | Iterable<Recipient>,
  outPath: string,
  scope?: string,
): Promise<FilterSummary> {
  const out = createWriteStream(outPath);
  // `scope`: the campaign's unsubscribe group, honoured besides the global suppressions.
  const allowed = client.filter(input, { field: 'email', scope, purpose: 'marketing' });
  for await (const row of allowed) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return allowed.summary;
}

async function main(): Promise<void> {
  const [inPath = 'list.ndjson', outPath = 'allowed.ndjson'] = process.argv.slice(2);
  const client = new BouncerClient({
    baseUrl: process.env.BOUNCER_URL ?? 'http://localhost:8080',
    apiKey: process.env.BOUNCER_API_KEY ?? '',
  });
  const s = await filterCampaign(client, readNdjson<Recipient>(inPath), outPath);
  console.log(
    `${s.total} total, ${s.suppressed} suppressed, ${s.invalid} invalid, ${s.allowed} valid`,
    s.by_reason,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
