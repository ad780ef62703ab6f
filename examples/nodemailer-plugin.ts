/**
 * Pattern 3: let Nodemailer ask Bouncer before every message.
 * Run: BOUNCER_URL=… BOUNCER_API_KEY=… npx tsx examples/nodemailer-plugin.ts
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import {
  ALL_SUPPRESSED,
  UNAVAILABLE,
  bouncerInfo,
  bouncerPlugin,
  type BouncerPluginError,
} from 'bouncer/nodemailer';

/** A transporter whose messages lose their suppressed recipients before they are sent. */
export function createTransporter(
  bouncer: { baseUrl: string; apiKey: string },
  smtp: SMTPTransport.Options,
) {
  const transporter = nodemailer.createTransport(smtp);
  // failOpen: false (the default) refuses to send while Bouncer cannot be asked.
  transporter.use('compile', bouncerPlugin({ ...bouncer, purpose: 'marketing', failOpen: false }));
  return transporter;
}

export async function sendNewsletter(
  transporter: ReturnType<typeof createTransporter>,
  to: string[],
): Promise<string> {
  try {
    const info = await transporter.sendMail({
      from: 'news@example.org',
      to,
      subject: 'November news',
      text: '…',
    });
    const removed = bouncerInfo(info)?.removed ?? [];
    return `sent to ${info.accepted.length}, removed ${removed.length} (${removed.map((r) => r.reason).join(', ') || 'none'})`;
  } catch (err) {
    const e = err as BouncerPluginError;
    if (e.code === ALL_SUPPRESSED) return `not sent: ${e.message}`;
    if (e.code === UNAVAILABLE) return 'not sent: Bouncer is unreachable; retry later';
    throw err;
  }
}

async function main(): Promise<void> {
  const transporter = createTransporter(
    {
      baseUrl: process.env.BOUNCER_URL ?? 'http://localhost:8080',
      apiKey: process.env.BOUNCER_API_KEY ?? '',
    },
    {
      host: process.env.SMTP_HOST ?? '127.0.0.1',
      port: Number(process.env.SMTP_PORT ?? 25),
      secure: false,
    },
  );
  console.log(await sendNewsletter(transporter, ['jane@example.com', 'joe@example.com']));
  transporter.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
