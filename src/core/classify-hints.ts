import type { FineReason } from './classify.js';

/**
 * Hints that outrank the ordinary phrase tables of classify-patterns.ts: sentences that settle
 * whether an address exists whatever SMTP phase an MTA reports, and provider sentences with a
 * meaning of their own.
 */
const P = (...parts: string[]): RegExp => new RegExp(parts.join('|'));

/**
 * Phrases that say the recipient address does not exist even when the notice does not name the
 * SMTP command: read as an answer to RCPT TO (other "user unknown" texts without a command may
 * come from a content filter after DATA, and are read as `filtered`, as Sisimai does).
 */
export const RECIPIENT_DOES_NOT_EXIST = P(
  'recipient name is not recognized',
  // Verizon (vtext.com) SMS gateway notices.
  'attempted recipient address does not exist',
  "doesn'?t have an? \\S+ account",
  'invalid recipient',
  "address couldn'?t be found",
  'recipient email address is possibly incorrect',
  "you entered couldn'?t be found",
  "wasn'?t found at",
  'unknown recipient or mailbox unavailable',
  'recipientnotfound',
  'recipnotfound',
  'not listed in (the )?domino directory',
  'no se encuentra en el directorio de domino',
  "non r.{1,2}pertori.{1,2} dans l'annuaire domino",
  'domino ディレクトリには見つかりません',
  'not listed in public name & address book',
  '^unknown user: \\S+@',
  'mailbox unavailable \\(-?\\d+:\\d+:-?\\d+\\)',
  '#5\\.1\\.[01] (address rejected|bad address)',
  'mail\\.local: unknown user',
  'invalid final delivery userid',
  'ディレクトリのリストにありません',
);

/**
 * Weaker hints that the address does not exist, trusted only when the notice names no SMTP
 * command (a content filter after DATA can say "… no such user" too).
 */
export const RECIPIENT_PROBABLY_UNKNOWN = P(
  // `[^\\s@>]`: each `@` or `>` scans only to the next one, not to the end of the text.
  '[@>][^\\s@>]*\\.\\.\\. (no such user|user unknown)',
  'please check if (the )?address is correct',
  'and other recipients in the same domain',
);

/**
 * Sentences a single large provider uses with a meaning of its own (Yahoo's error-code page,
 * AOL): checked before everything else, as Sisimai's per-provider tables are.
 */
export const PROVIDER_PHRASES: ReadonlyArray<readonly [RegExp, FineReason]> = [
  [/yahoo requires all senders to authenticate/, 'authfailure'],
  [
    /because the ip is in spamhaus'?s list|not accepted from ip addresses on spamhaus xbl/,
    'blocked',
  ],
  [/relaying denied for </, 'norelaying'],
  [/headers are not rfc compliant/, 'notcompliantrfc'],
  [
    /\[tss0\d\] .{0,80}temporarily deferred due to unexpected volume or user complaints|due to unresolvable rfc\.?5321|will be permanently deferred/,
    'rejected',
  ],
  [/user is receiving mail too quickly|max message per connection reached/, 'ratelimited'],
  [/delivery error: dd \S+ is no longer valid|this mailbox is disabled \(554\.30\)/, 'suspend'],
  // Apple iCloud (support.apple.com/en-us/102322).
  [
    /rejected due to (having a domain present in the spamhaus|listing in spamhaus)|dnsbl-lookup/,
    'blocked',
  ],
  [/recipient no longer on server/, 'hasmoved'],
  [/inactive email address/, 'userunknown'],
  [/due to excessive volume/, 'ratelimited'],
  [/blocked for failing both spf and dkim/, 'authfailure'],
  [/spf\/dns de votre nom de domaine/, 'authfailure'],
  // Cox postmaster.
  [/cox too many bad commands from|too many invalid recipients/, 'blocked'],
  [/rejected - no rdns/, 'requireptr'],
  [/esmtp no data before greeting|attachment extension is forbidden/, 'policyviolation'],
  [/esmtp server temporarily not available/, 'systemerror'],
  [/too many sessions from|message threshold exceeded/, 'ratelimited'],
  // Tencent QQ Mail (service.mail.qq.com/detail/122).
  [/suspected bounce attacks|suspected spam ip/, 'blocked'],
  [/mail is rejected by recipients/, 'rejected'],
  [/spam is embedded in the email/, 'spamdetected'],
  [
    /frequency of receiving messages is limited|(ip|domain|sender|connection) frequency limited/,
    'ratelimited',
  ],
  [/bad address syntax/, 'syntaxerror'],
  // Mimecast SMTP error codes (community.mimecast.com).
  [/(spf|dkim|dmarc) sender invalid - envelope rejected/, 'authfailure'],
  [/local ct ip reputation/, 'badreputation'],
  [/ip temporarily blacklisted/, 'blocked'],
  [/this route requires (encryption|tls version|high-strength ciphers)/, 'failedstarttls'],
  [/maximum email size exceeded/, 'emailtoolarge'],
  [/incorrect hostname used for inbounds/, 'networkerror'],
  [/open relay (is )?not allowed/, 'norelaying'],
  [/account inbounds disabled/, 'notaccept'],
  [/anti-spoofing policy|content examination policy|host network,? not allowed/, 'policyviolation'],
  [
    /administrative prohibition envelope blocked|envelope blocked - user (domain )?entry|manually blocked senders|block policy for (header from|envelope from)/,
    'rejected',
  ],
  [/incorrect authentication data|submitter failed to authenticate/, 'securityerror'],
  [/exceeding outbound thread limit/, 'ratelimited'],
  // Zoho Mail.
  [/email rejected per dmarc policy/, 'authfailure'],
  [/greylisted, try again after some time/, 'blocked'],
  [
    /email cannot be delivered\. reason: email flagged as spam|mail rejected by destination domain/,
    'rejected',
  ],
  [
    /email policy violation detected|mailbox delivery restricted by policy error/,
    'policyviolation',
  ],
  [/ detected by zoho mail/, 'virusdetected'],
  // Broadcom (MessageLabs) Email Security.cloud.
  [/domain authentication fail/, 'authfailure'],
  [/connection rejected by policy/, 'badreputation'],
  [
    /mail rejected because your ip is in the pbl|your ip address (\([^)]*\) )?has been (blocked|blacklisted)/,
    'blocked',
  ],
  [/stray linefeeds in message/, 'contenterror'],
  [/tls\/sslv3 connection required/, 'failedstarttls'],
  [
    /550 requested action aborted \[4\]|has detected that this message is not rfc 5322/,
    'notcompliantrfc',
  ],
  [
    /sender envelope domain not allowed for sender ip|your (domain|email address) has been (blocked|blacklisted)|envelope sender is in my badmailfrom list/,
    'rejected',
  ],
  [/filtered by outbound scanning/, 'spamdetected'],
  [/too many recipients received this hour/, 'ratelimited'],
  [/recipient mailbox is not allowed/, 'userunknown'],
  // Cloudflare Email Routing.
  [/found on one or more dnsbls/, 'blocked'],
];

/** Rules that apply only to mail for one provider's domains (Sisimai's "rhost" idea). */
const DOMAIN_RULES: ReadonlyArray<{ domain: RegExp; text: RegExp; reason: FineReason }> = [
  // au (KDDI) answers "550 <a>: User unknown" for unknown users, "550 : User unknown" for refusals.
  { domain: /(^|\.)(ezweb\.ne\.jp|au\.com)$/, text: />: user unknown/, reason: 'userunknown' },
  { domain: /(^|\.)(ezweb\.ne\.jp|au\.com)$/, text: /550 : user unknown/, reason: 'filtered' },
  // Outlook.com / Hotmail: "mailbox unavailable" is their unknown-user answer.
  {
    domain: /(^|\.)(hotmail|outlook|live|msn)\.[a-z.]+$/,
    text: /requested action not taken: mailbox unavailable/,
    reason: 'userunknown',
  },
  // AOL: a broken MX answer means the domain accepts no mail.
  {
    domain: /(^|\.)(mail|mx)\.aol\.com$/,
    text: /type=mx: malformed or unexpected name server reply/,
    reason: 'notaccept',
  },
];

/** i.ua's "https://mail.i.ua/err/N/" codes. */
const IUA_CODES: Readonly<Record<string, FineReason>> = {
  '1': 'norelaying',
  '2': 'userunknown',
  '3': 'suspend',
  '4': 'mailboxfull',
  '5': 'ratelimited',
  '6': 'norelaying',
  '7': 'blocked',
  '8': 'rejected',
  '9': 'blocked',
  '10': 'filtered',
};

/** Spectrum (Charter) "AUP#I1234" codes: ranges of four-digit numbers. */
const SPECTRUM_RANGES: ReadonlyArray<readonly [number, number, FineReason]> = [
  [1000, 1000, 'blocked'],
  [1010, 1080, 'rejected'],
  [1090, 1090, 'systemerror'],
  [1100, 1150, 'requireptr'],
  [1160, 1190, 'policyviolation'],
  [1200, 1250, 'blocked'],
  [1260, 1260, 'networkerror'],
  [1300, 1490, 'ratelimited'],
  [1500, 1520, 'rejected'],
  [1530, 1530, 'emailtoolarge'],
  [1540, 1550, 'ratelimited'],
  [1560, 1560, 'policyviolation'],
  [1580, 1580, 'ratelimited'],
];

/** NTT DOCOMO answers "550 Unknown user" at RCPT for unknown users and after DATA for refusals. */
function docomoReason(text: string, status: string | null): FineReason | null {
  if (!/docomo\.ne\.jp/.test(text)) return null;
  if (/552 too much mail data/.test(text)) return 'mailboxfull';
  if (/552 too many recipients/.test(text)) return 'ratelimited';
  if (!/550 unknown user/.test(text)) return null;
  if (status === '5.2.0') return 'filtered';
  return /in reply to end of data/.test(text) ? 'rejected' : 'userunknown';
}

/** Cox "AUP#CXBL"-style codes (cox.com postmaster). */
function coxReason(text: string): FineReason | null {
  const code = /aup#([a-z0-9]+)/.exec(text)?.[1]?.toUpperCase();
  if (!code) return null;
  if (/^(CXBL|CDRBL|IPBL\d+)$/.test(code)) return 'blocked';
  if (code.startsWith('URLBL')) return 'spamdetected';
  const table: Readonly<Record<string, FineReason>> = {
    CXDNS: 'requireptr',
    CXSNDR: 'authfailure',
    CXSMTP: 'rejected',
    CXCNCT: 'ratelimited',
    CXMXRT: 'ratelimited',
    CXTHRT: 'securityerror',
    CXMJ: 'securityerror',
  };
  return table[code] ?? null;
}

/** GoDaddy "IB…" codes (godaddy.com help: fix rejected email with a bounce error). */
const GODADDY_CODES: Readonly<Record<string, FineReason>> = {
  IB401: 'securityerror',
  IB501: 'notcompliantrfc',
  IB502: 'notcompliantrfc',
  IB506: 'rejected',
  IB508: 'authfailure',
  IB108: 'requireptr',
  IB212: 'spamdetected',
  IB705: 'virusdetected',
  IB605: 'ratelimited',
  IB007: 'ratelimited',
  IB101: 'ratelimited',
  IB110: 'blocked',
  IB111: 'blocked',
  IB112: 'blocked',
  IB113: 'blocked',
  IB504: 'ratelimited',
  IB510: 'ratelimited',
  IB607: 'ratelimited',
  IB103: 'badreputation',
  IB104: 'blocked',
  IB105: 'blocked',
  IB106: 'blocked',
};

/** Facebook's response codes (postmaster.facebook.com/response_codes), e.g. "RCP-P2". */
const FACEBOOK_CODES: Readonly<Record<string, FineReason>> = {
  'POL-P7': 'authfailure',
  'POL-P1': 'blocked',
  'POL-P2': 'blocked',
  'POL-P3': 'blocked',
  'POL-P4': 'blocked',
  'POL-T1': 'blocked',
  'POL-T2': 'blocked',
  'POL-T3': 'blocked',
  'MSG-P2': 'contenterror',
  'RCP-P2': 'filtered',
  'RCP-P3': 'filtered',
  'MSG-P1': 'emailtoolarge',
  'INT-P2': 'emailtoolarge',
  'MSG-P3': 'notcompliantrfc',
  'DNS-P1': 'rejected',
  'DNS-P2': 'rejected',
  'DNS-T1': 'rejected',
  'DNS-P3': 'requireptr',
  'DNS-T2': 'requireptr',
  'POL-P6': 'spamdetected',
  'RCP-T4': 'suspend',
  'RCP-T1': 'systemerror',
  'CON-T1': 'ratelimited',
  'CON-T2': 'ratelimited',
  'CON-T3': 'ratelimited',
  'CON-T4': 'ratelimited',
  'MSG-T1': 'ratelimited',
  'RCP-P1': 'userunknown',
  'INT-P1': 'userunknown',
  'INT-P3': 'userunknown',
  'INT-P4': 'userunknown',
  'POL-P5': 'virusdetected',
};

/** Orange / La Poste codes ("LPN007_416", "OFR_506 [506]"): the last three digits say why. */
const ORANGE_CODES: Readonly<Record<string, FineReason>> = {
  '101': 'blocked',
  '102': 'blocked',
  '103': 'blocked',
  '104': 'ratelimited',
  '305': 'securityerror',
  '401': 'authfailure',
  '402': 'securityerror',
  '403': 'rejected',
  '405': 'rejected',
  '415': 'rejected',
  '416': 'userunknown',
  '417': 'mailboxfull',
  '420': 'suspend',
  '421': 'rejected',
  '426': 'suspend',
  '505': 'systemerror',
  '506': 'spamdetected',
  '510': 'blocked',
  '514': 'emailtoolarge',
  '517': 'authfailure',
  '630': 'policyviolation',
  '999': 'blocked',
};

/** The reason a provider's own sentence or code gives, if the text carries one (lower-cased text). */
export function providerReason(
  text: string,
  status: string | null = null,
  hosts: ReadonlyArray<string | null> = [],
): FineReason | null {
  const phrase = PROVIDER_PHRASES.find(([re]) => re.test(text));
  if (phrase) return phrase[1];
  // `hosts`: the recipient's domain and the remote MTA's name, either may identify the provider.
  const names = hosts.filter((h): h is string => Boolean(h)).map((h) => h.toLowerCase());
  const rule = DOMAIN_RULES.find((r) => names.some((n) => r.domain.test(n)) && r.text.test(text));
  if (rule) return rule.reason;
  const facebook = /\b(pol|msg|rcp|dns|con|int)-([pt]\d)\b/.exec(text);
  if (facebook && /facebook/.test(text))
    return FACEBOOK_CODES[`${facebook[1]}-${facebook[2]}`.toUpperCase()] ?? null;
  const orange = /\b(?:lpnaaa|lpn|ofr|ouk)\d*[-_](\d{3})\b/.exec(text);
  if (orange) return ORANGE_CODES[orange[1] ?? ''] ?? null;
  const godaddy = /\b(ib\d{3})\b/.exec(text)?.[1]?.toUpperCase();
  if (godaddy && GODADDY_CODES[godaddy]) return GODADDY_CODES[godaddy];
  const iua = /\.i\.ua\/err\/(\d+)/.exec(text)?.[1];
  if (iua && IUA_CODES[iua]) return IUA_CODES[iua];
  const spectrum = Number(/aup#[a-z]?(\d{4})\b/.exec(text)?.[1] ?? NaN);
  const range = SPECTRUM_RANGES.find(([lo, hi]) => spectrum >= lo && spectrum <= hi);
  if (range) return range[2];
  return coxReason(text) ?? docomoReason(text, status);
}
