import type { FineReason } from '../../core/classify.js';
import { emailsIn } from '../text.js';
import type { Finding, FormatParser, MailView } from '../types.js';
import { splitOriginal } from './notice.js';

/**
 * Notices whose wording settles a reason the generic reader would leave vague. Recognised by
 * their own headers (facts from the products' published notices, as Sisimai's lhost list
 * documents them); all patterns are bounded and linear.
 */

const MAX_LINE_CHARS = 1_000;

/**
 * McAfee Email Gateway: `X-NAI-Header: Modified by McAfee…`, subject `Delivery Status`, and
 * after "--- The following addresses had delivery problems ---" one `<addr>   (reason)` line
 * per recipient. Its "User unknown"/"No such user"/"User not exist" come from its recipient
 * check (RCPT), so they are unknown users, not content filtering.
 */
const MCAFEE_UNKNOWN = /user not exist|user unknown|unknown user|no such user| unknown\./i;

function parseMcAfee(mail: MailView): Finding[] | null {
  if (!(mail.headers.get('x-nai-header') ?? '').includes('Modified by McAfee')) return null;
  const lines = splitOriginal(mail.notice).notice.split('\n');
  const at = lines.findIndex((l) => l.includes('The following addresses had delivery problems'));
  if (at === -1) return null;
  const findings: Finding[] = [];
  for (const raw of lines.slice(at + 1, at + 200)) {
    const line = raw.slice(0, MAX_LINE_CHARS);
    const m = /^\s{0,8}<([^<>\s]{1,254}@[^<>\s]{1,254})>\s{0,40}(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const reason: FineReason | null = MCAFEE_UNKNOWN.test(m[2] ?? '') ? 'userunknown' : null;
    findings.push({ recipient: m[1], diagnostic: line.trim(), command: 'RCPT', reason });
  }
  return findings;
}

/**
 * fml (a Japanese mailing-list manager): `X-MLServer`, a `…-admin@` sender and a `.FML`
 * Message-ID. A refusal ("You are not a member of this mailing list <list>", "NOT MEMBER
 * article from") is the list refusing the sender: reason `rejected`, for the list address.
 */
const FML_REJECTED =
  /not a member of this mailing list|not member article from|reject mail from|reject spammers:|spam mail from a spammer is rejected/i;
const FML_SYSTEM = /loop back warning|loop alert|duplicated message-id|detected a loop condition/i;

function parseFml(mail: MailView): Finding[] | null {
  const h = mail.headers;
  if (!h.get('x-mlserver') || !/-admin@/i.test(mail.from)) return null;
  if (!(h.get('message-id') ?? '').includes('.FML')) return null;
  const text = mail.notice.split('Original mail as follows:')[0]?.slice(0, 8_000) ?? '';
  const reason: FineReason | null = FML_REJECTED.test(text)
    ? 'rejected'
    : FML_SYSTEM.test(text) || /loop/i.test(mail.subject)
      ? 'systemerror'
      : /security alert/i.test(text)
        ? 'securityerror'
        : null;
  if (!reason) return null;
  const line = text
    .split('\n')
    .find((l) => /<[^<>\s]{1,254}@[^<>\s]{1,254}>/.test(l.slice(0, MAX_LINE_CHARS)));
  const recipient = emailsIn(line ?? '')[0] ?? emailsIn(h.get('to') ?? '')[0];
  if (!recipient) return null;
  return [
    { recipient, diagnostic: (line ?? mail.subject).trim().slice(0, MAX_LINE_CHARS), reason },
  ];
}

export const parseAppliances: FormatParser = (mail) => {
  const findings = parseMcAfee(mail) ?? parseFml(mail);
  return findings && findings.length > 0 ? { kind: 'bounce', findings } : null;
};
