import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBounceMail } from '../../src/bouncemail/index.js';
import { bounceMail } from './helpers.js';

/**
 * The addresses a mail names as its sender, read independently of the parser: every From,
 * Reply-To, Sender and Return-Path line anywhere in it (the report's and the returned
 * original's) and the report's To (the original's envelope sender).
 */
function senders(raw: Buffer): Set<string> {
  const text = raw.toString('latin1');
  const out = new Set<string>();
  const head = text.slice(0, Math.max(0, text.search(/\r?\n\r?\n/)));
  const lines = [
    ...text.matchAll(/^(?:from|reply-to|sender|return-path):[^\n]{0,500}/gim),
    ...head.matchAll(/^to:[^\n]{0,500}/gim),
  ];
  for (const l of lines)
    for (const m of l[0].matchAll(/[\w.+'=-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g))
      out.add(m[0].toLowerCase());
  return out;
}

const FIXTURES = readdirSync(new URL('../fixtures/bounce-mail/', import.meta.url)).filter((f) =>
  f.endsWith('.eml'),
);

describe('no sender is ever reported as a bounced recipient', () => {
  it.each(FIXTURES.filter((f) => !/vacation|rfc3834/.test(f)))('%s', (name) => {
    const raw = bounceMail(name);
    const own = senders(raw);
    const p = parseBounceMail(raw);
    expect(p.recipients.map((r) => r.recipient).filter((r) => own.has(r))).toEqual([]);
  });

  it('reads the recipient of a notice that greets the sender and names it beside the recipient', () => {
    const p = parseBounceMail(bounceMail('sender-salutation.eml'));
    expect(p.recipients.map((r) => [r.recipient, r.severity])).toEqual([
      ['gone.user@example.net', 'hard'],
    ]);
  });
});
