import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const SPARKPOST = 'hookuser:s3cret-0123456789abcdef';
const BREVO = 'brevo:basic-password-0123456789';
const MAILJET = 'mailjet-url-token-0123456789ab';

describe.skipIf(!testDialects().includes('sqlite'))(
  'SparkPost, Brevo and Mailjet webhooks while the database cannot take writes',
  () => {
    it('answer 503 (retry later), never 2xx, while another connection holds the SQLite write lock', async () => {
      const t = await buildTestApp('sqlite', {
        env: {
          BOUNCER_SPARKPOST_BASIC_AUTH: SPARKPOST,
          BOUNCER_BREVO_BASIC_AUTH: BREVO,
          BOUNCER_MAILJET_URL_TOKENS: MAILJET,
        },
      });
      // A real second connection to the same file, as another process would hold it.
      const other = new Database(t.config.database.kind === 'sqlite' ? t.config.database.path : '');
      try {
        other.exec('BEGIN EXCLUSIVE');
        const send = (url: string, payload: string, authorization?: string) =>
          t.app.inject({
            method: 'POST',
            url,
            payload,
            headers: {
              'content-type': 'application/json',
              ...(authorization ? { authorization } : {}),
            },
          });
        const answers = await Promise.all([
          send(
            '/webhooks/sparkpost',
            '[{"msys":{"message_event":{"type":"bounce","bounce_class":"10","event_id":"o1","rcpt_to":"a@example.com"}}}]',
            basic(SPARKPOST),
          ),
          send(
            '/webhooks/brevo',
            '{"event":"hard_bounce","email":"b@example.com","ts_epoch":1604933653000}',
            basic(BREVO),
          ),
          send(
            `/webhooks/mailjet/${MAILJET}`,
            '{"event":"bounce","hard_bounce":true,"email":"c@example.com","time":1}',
          ),
        ]);
        expect(answers.map((a) => a.statusCode)).toEqual([503, 503, 503]);
      } finally {
        if (other.inTransaction) other.exec('ROLLBACK');
        other.close();
        await t.close();
      }
    }, 30_000);
  },
);
