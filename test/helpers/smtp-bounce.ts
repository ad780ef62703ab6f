import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/** An RFC 3464 report for one failed recipient, written for the tests (made-up hosts). */
export function dsnFor(
  recipient: string,
  status = '5.1.1',
  from = 'bounces@bounce.example.com',
): string {
  const boundary = 'b-' + recipient.replace(/\W/g, '');
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    `To: ${from}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${boundary}@mx.example.org>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: smtp; 550 ${status} <${recipient}>: Recipient address rejected: User unknown`,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export interface SmtpSendResult {
  ok: boolean;
  /** The server's reply code to the failing command, or 250. */
  code: number;
  message: string;
}

/** Send one raw message with nodemailer (MAIL FROM:<>, as an MTA sends a bounce). */
export async function sendRaw(
  port: number,
  to: string[],
  raw: string | Buffer,
  opts: { requireTLS?: boolean } = {},
): Promise<SmtpSendResult> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: opts.requireTLS !== true,
    requireTLS: opts.requireTLS === true,
    tls: { rejectUnauthorized: false },
    connectionTimeout: 10_000,
  });
  try {
    const info = await transport.sendMail({ envelope: { from: '', to }, raw });
    return { ok: true, code: 250, message: String(info.response) };
  } catch (err) {
    const e = err as { responseCode?: number; message?: string };
    return { ok: false, code: e.responseCode ?? 0, message: e.message ?? String(err) };
  } finally {
    transport.close();
  }
}

/** A self-signed certificate for STARTTLS tests (openssl, into a temp folder). */
export function selfSignedCert(): { certFile: string; keyFile: string; cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'bouncer-smtp-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
