import { readFileSync } from 'node:fs';

/** Raw bytes of a bounce mail written for the tests: `test/fixtures/bounce-mail/<name>`. */
export function bounceMail(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/bounce-mail/${name}`, import.meta.url));
}

/** The same message with CRLF or CR line ends. */
export function withLineEnds(raw: Buffer, eol: '\r\n' | '\r'): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, eol), 'latin1');
}
