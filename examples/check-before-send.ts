/**
 * Pattern 1: check before each send (transactional mail, one recipient per message).
 * Run: BOUNCER_URL=http://localhost:8080 BOUNCER_API_KEY=… npx tsx examples/check-before-send.ts jane@example.com
 */
import { BouncerClient, BouncerError } from 'bouncer/client';

export type Outcome = { sent: true } | { sent: false; why: string };

/** Send unless Bouncer says the recipient is suppressed or not an address at all. */
export async function sendIfAllowed(
  client: BouncerClient,
  to: string,
  send: (to: string) => Promise<void>,
): Promise<Outcome> {
  // transactional: a receipt still goes to someone who unsubscribed from the newsletter,
  // never to a hard bounce or a complaint.
  const verdict = await client.check([to], { purpose: 'transactional' });
  const suppressed = verdict.suppressed[0];
  if (suppressed)
    return { sent: false, why: `suppressed: ${suppressed.reason} since ${suppressed.since}` };
  const invalid = verdict.invalid[0];
  if (invalid) return { sent: false, why: `invalid: ${invalid.error}` };
  await send(to);
  return { sent: true };
}

async function main(): Promise<void> {
  const client = new BouncerClient({
    baseUrl: process.env.BOUNCER_URL ?? 'http://localhost:8080',
    apiKey: process.env.BOUNCER_API_KEY ?? '',
    timeoutMs: 2_000,
  });
  try {
    const outcome = await sendIfAllowed(client, process.argv[2] ?? 'jane@example.com', async (to) =>
      console.log(`(sending to ${to})`),
    );
    console.log(outcome);
  } catch (err) {
    // Bouncer unreachable after its retries (err.status === null) or a 5xx: decide whether to
    // send anyway. A 4xx (err.status 400–499) is a bug to fix: a wrong key or bad input.
    if (err instanceof BouncerError) console.error(`bouncer: ${err.code} ${err.message}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
