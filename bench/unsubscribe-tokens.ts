/**
 * Unsubscribe token signing and verification per second (core/unsubscribe-token.ts): what a
 * one-click POST or a recipient page costs before any storage. Verification is measured with one
 * secret and with three (rotation: a token signed by the last secret tries all three), and for a
 * forged token (every secret tried, then refused). `npx tsx bench/unsubscribe-tokens.ts`.
 */
import { performance } from 'node:perf_hooks';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../src/core/unsubscribe-token.js';
import { machineLine, writeResultsSection } from './lib/results.js';

const TOKENS = 20_000;
const RUNS = 7;
const secrets = [
  'current-secret-0123456789abcdef',
  'older-secret-0123456789abcdefgh',
  'oldest-secret-0123456789abcdefg',
];

const claims = (i: number) => ({
  address: `recipient.${i}@example.com`,
  channel: 'email' as const,
  scope: i % 2 ? 'newsletter' : '*',
  issuedAt: 1_796_000_000 + i,
  campaign: i % 3 ? `campaign-${i % 50}` : null,
});

function perSecond(fn: (i: number) => unknown): number {
  const rates: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    for (let i = 0; i < TOKENS; i++) fn(i);
    const ms = performance.now() - t0;
    if (run > 0) rates.push((TOKENS / ms) * 1_000); // run 0 warms up
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

const first = Array.from({ length: TOKENS }, (_, i) =>
  signUnsubscribeToken(secrets[0]!, claims(i)),
);
const last = Array.from({ length: TOKENS }, (_, i) => signUnsubscribeToken(secrets[2]!, claims(i)));
const forged = first.map((t) => `${t.slice(0, t.indexOf('.'))}.${'A'.repeat(22)}`);
for (const t of first) if (!verifyUnsubscribeToken(secrets, t).ok) throw new Error('bad token');

const rows: Array<[string, number]> = [
  ['sign', perSecond((i) => signUnsubscribeToken(secrets[0]!, claims(i)))],
  ['verify, 1 secret', perSecond((i) => verifyUnsubscribeToken(secrets.slice(0, 1), first[i]!))],
  [
    'verify, 3 secrets, signed by the last',
    perSecond((i) => verifyUnsubscribeToken(secrets, last[i]!)),
  ],
  [
    'refuse a forged token, 3 secrets',
    perSecond((i) => verifyUnsubscribeToken(secrets, forged[i]!)),
  ],
];
const avgLength = Math.round(first.reduce((n, t) => n + t.length, 0) / first.length);
const table = rows
  .map(([name, r]) => `| ${name} | ${Math.round(r).toLocaleString('en-US')} |`)
  .join('\n');
const md = `## Unsubscribe tokens (issue 19)

${machineLine()}
${TOKENS.toLocaleString('en-US')} tokens per run, median of ${RUNS} runs after one warm-up, one core of a machine shared with other jobs (figures are a floor); \`npx tsx bench/unsubscribe-tokens.ts\`.
Tokens average ${avgLength} characters (address, scope, issue time and campaign as base64url JSON, and a 128-bit HMAC-SHA256 tag).

| operation | per second |
| --------- | ---------- |
${table}`;
writeResultsSection('unsubscribe-tokens', md);
console.log(md);
