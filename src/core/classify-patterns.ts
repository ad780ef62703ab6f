import type { FineReason } from './classify.js';

/**
 * The tables behind classifyBounce: what enhanced status codes (RFC 3463, plus the codes big
 * providers use) and diagnostic texts of the common MTAs mean. The vocabulary and the idea of
 * checking reasons in a fixed order come from Sisimai; the phrases were collected from real
 * bounce messages (Postfix, Sendmail, Exim, qmail, Exchange/Office 365, Gmail, Yahoo, …).
 * All text patterns run on lower-cased text with whitespace collapsed.
 */

/**
 * What an enhanced status code (RFC 3463 and its registry updates: RFC 3886, 4954, 5248, 7208,
 * 7372, 7505) says about the failure. Codes not listed (x.0.0, 4.4.0…) say too little.
 */
export const STATUS_REASON: Readonly<Record<string, FineReason>> = {
  '4.1.6': 'hasmoved', '4.1.7': 'rejected', '4.1.8': 'rejected', '4.1.9': 'systemerror', '4.2.1': 'blocked',
  '4.2.2': 'mailboxfull', '4.2.3': 'emailtoolarge', '4.2.4': 'filtered', '4.3.1': 'systemfull', '4.3.2': 'notaccept',
  '4.3.3': 'systemerror', '4.3.5': 'systemerror', '4.4.1': 'expired', '4.4.2': 'networkerror', '4.4.3': 'systemerror',
  '4.4.4': 'networkerror', '4.4.5': 'systemfull', '4.4.6': 'networkerror', '4.4.7': 'expired', '4.4.8': 'networkerror',
  '4.5.3': 'systemerror', '4.5.5': 'systemerror', '4.6.0': 'contenterror', '4.6.2': 'contenterror', '4.6.5': 'contenterror',
  '4.7.1': 'blocked', '4.7.2': 'blocked', '4.7.5': 'securityerror', '4.7.6': 'securityerror', '4.7.7': 'securityerror',
  '4.7.12': 'securityerror', '4.7.15': 'securityerror', '4.7.16': 'emailtoolarge', '4.7.24': 'authfailure',
  '4.7.25': 'requireptr', '4.7.26': 'authfailure',
  '5.1.0': 'userunknown', '5.1.1': 'userunknown', '5.1.2': 'hostunknown', '5.1.3': 'userunknown', '5.1.4': 'filtered',
  '5.1.6': 'hasmoved', '5.1.7': 'rejected', '5.1.8': 'rejected', '5.1.9': 'systemerror', '5.1.10': 'notaccept',
  '5.2.0': 'filtered', '5.2.1': 'filtered', '5.2.2': 'mailboxfull', '5.2.3': 'emailtoolarge', '5.2.4': 'filtered',
  '5.3.0': 'systemerror', '5.3.1': 'systemfull', '5.3.2': 'notaccept', '5.3.3': 'systemerror', '5.3.4': 'emailtoolarge',
  '5.3.5': 'systemerror', '5.4.0': 'networkerror', '5.4.3': 'systemerror', '5.4.4': 'hostunknown', '5.5.2': 'syntaxerror',
  '5.5.3': 'ratelimited', '5.5.4': 'systemerror', '5.5.5': 'systemerror', '5.5.6': 'syntaxerror',
  '5.6.0': 'contenterror', '5.6.1': 'contenterror', '5.6.2': 'contenterror', '5.6.3': 'contenterror', '5.6.5': 'contenterror',
  '5.6.6': 'contenterror', '5.6.7': 'contenterror', '5.6.8': 'contenterror', '5.6.9': 'contenterror',
  '5.7.13': 'suspend', '5.7.16': 'emailtoolarge', '5.7.17': 'hasmoved', '5.7.18': 'hasmoved', '5.7.20': 'authfailure',
  '5.7.21': 'authfailure', '5.7.22': 'authfailure', '5.7.23': 'authfailure', '5.7.24': 'authfailure', '5.7.25': 'requireptr',
  '5.7.26': 'authfailure', '5.7.27': 'notaccept', '5.7.28': 'spamdetected', '5.7.29': 'authfailure', '5.7.30': 'failedstarttls',
  // Microsoft 365 / Exchange Online extended codes (Microsoft Learn, "Email non-delivery reports
  // and SMTP errors in Exchange Online").
  '5.7.124': 'rejected', '5.7.133': 'rejected', '5.7.134': 'rejected', '5.7.135': 'rejected', '5.7.136': 'rejected',
  '5.7.509': 'authfailure', '5.7.511': 'blocked', '5.7.606': 'blocked', '5.7.607': 'blocked', '5.7.608': 'blocked',
  '5.7.708': 'badreputation', '5.7.750': 'blocked', '5.7.54': 'norelaying', '5.7.57': 'securityerror',
};

const P = (...parts: string[]): RegExp => new RegExp(parts.join('|'));

/** Per-reason text patterns, matched on lower-cased text with whitespace collapsed. */
export const TEXT: Readonly<Partial<Record<FineReason, RegExp>>> = {
  mailboxfull: P(
    'inbox is out of storage space', 'email quota exceeded',
    'mail ?box (is )?(full|over ?quota)', 'mailbox (size )?(limit )?(has been |was )?exceeded', 'mailbox has exceeded', 'full mailbox', 'mailfolder is full',
    'over ?quota', 'over .{0,40}quota', '(?<!message |sending |daily |hourly )quota (exceed|full|violation|reached)', '(?<!message |sending |daily |hourly )quota .{0,40}exceeded', 'exceed(s|ed)? (the |his |her |its |their )?(storage |mailbox |disk )?quota',
    'insufficient disk space', 'not sufficient disk space', 'not enough (storage|space)', 'enough .{0,30} space', 'account is .{0,40} quota', 'disk.{0,40}quota',
    'mailbox .{0,40}quota', 'maildir .{0,40}quota', 'mailbox .{0,40}full', 'mailbox .{0,40}exceeded.{0,40} limit', 'account is full', 'exceeded storage allocation',
    'too much mail data', 'would exceed (the )?(mailbox|quota|maximum allowed storage)', 'maildir has overdrawn', 'box is full', 'boite du destinataire pleine',
    'is full and can\'?t accept', 'mailbox exceeds allowed size', 'user has too many messages on the server', 'user\'?s space has been used up',
    'exceeding receiving limits', 'storage quota', 'no space left on device', 'user has exceeded (the |their |his |her )?(quota|storage)',
  ),
  emailtoolarge: P(
    'recipsizelimit',
    'exceeded google\'?s message (header )?size limits', 'exceeds google\'?s (limit|message size limit|header name limit|message header size limit)', 'bytes per individual header size',
    'message (size )?exceeds (the )?(fixed |maximum |local )?(message )?(size|limit|value)', 'size limit', 'message too (large|big)', 'message file too big',
    'max(imum)? (inbound |incoming )?message size', 'message header size exceeds', 'message length exceeds', 'line limit exceeded', 'taille limite du message',
    'too large for', 'message is too (large|big)', 'larger than (the )?(maximum|allowed|permitted)', 'exceeded the maximum size', 'exceeds maximum allowed size',
    'message (is )?bigger than', 'exceeds the allowed size', 'exceeds? (the )?(administrative|maximum) (limit|size)',
  ),
  suspend: P(
    ' is currently suspended', 'temporar(y|ily) locked', 'archived recipient', 'boite du destinataire archivee', 'tried to reach is (disabled|inactive)',
    'has been suspended', 'inactive account', 'invalid/inactive user', 'is a deactivated mailbox', 'user is terminated', 'mailbox currently suspended',
    'mailbox (is )?disabled', 'mailbox is frozen', 'mailbox unavailable or access denied', 'recipient rejected: temporarily inactive', 'recipient suspend',
    'disabled or discontinued', 'account has been temporarily suspended', 'this address no longer accepts mail', 'this mailbox is disabled', 'user or domain is disabled',
    'user suspended', 'account is locked', 'the user\\(s\\) account is (disabled|temporarily limited)', 'account (has been |is |was )?(disabled|suspended|deactivated|frozen)', 'is no longer in use',
    '(user|recipient) (account )?(is |has been )?(suspended|disabled|deactivated)', 'mailbox is not active',
  ),
  hasmoved: P(
    ' has been replaced by ', 'mailbox has moved', 'user has moved', ' has moved to ',
  ),
  norelaying: P(
    'mail relay denied', 'invalid credentials for relay', 'not authorized to send email directly to our servers',
    'due to the following smtp relay error', 'as a relay', 'not a gateway', 'insecure mail relay', 'no relaying', 'not allowed to relay through this machine', 'not an open relay', 'not local host',
    'relay(ing)? (access )?(is )?(denied|not permitted|not allowed|prohibited|refused)', 'relaying mail to ', 'specified domain is not allowed',
    'domain isn\'?t in my list of allowed rcpthost', 'not configured to relay', 'unable to relay', 'we don\'?t handle mail for', '(we|i) do not relay',
    '(not|isn\'?t) (allowed|permitted|authorized) to relay(?! through this server without authentication)', 'cannot relay',
  ),
  authfailure: P(
    'must pass either spf or dkim', 'does not pass dmarc verification',
    'spf record of the sending domain', 'senders to authenticate (with|their email with) (either )?(spf|dkim)', 'hard fail policy', 'due to domain\'?s dmarc policy', 'fails to pass authentication checks', 'aligned with either the authenticated spf or dkim', 'to add a dmarc record',
    'spf\\.pobox\\.com', 'bad spf records', 'dmarc polic', 'required authentication level', 'inspect your spf settings', 'sender policy framework',
    'spf .{0,30}authentication fail', 'spf check: fail', 'authentication requirements defined for the sender', 'is not allowed to send mail\\..{0,60}_401',
    'per it\'?s spf record', 'spf.{0,20}(hard ?fail|soft ?fail|fail(ed|ure)?\\b)', 'dkim.{0,30}(fail|invalid)', 'dmarc.{0,30}(fail|reject)',
    'unauthenticated (email|mail|message)', 'does not have authentication information', 'fails? to pass (authentication|spf|dkim|dmarc)',
    'authentication checks? (did not pass|failed)',
  ),
  userunknown: P(
    'user(name)? (is )?unknown', 'unknown (user|recipient|mailbox|local[- ]?part|addressee|e-?mail address)', 'address unknown', 'recipient unknown',
    'no such (user|recipient|mailbox|address|person|local user|account)', '(user|recipient|mailbox|account|address|e-?mail address) (does not|doesn\'?t|did not) exist',
    '(user|recipient|mailbox|address|account) not (found|exist|known|present|listed|valid)', 'does not exist\\.', 'not a valid (recipient|mailbox|user)',
    'invalid (recipient|mailbox|address|user|e-?mail address)', 'mailbox (is )?(unavailable|invalid|not present|not found|unavaiable)', 'mailbox is inactive',
    'no mailbox (here|by that name|found|available)', 'no mail ?box available', 'bad destination mailbox', 'not our customer',
    'recipient address rejected: (access denied|invalid|unknown|user ?unknown|undeliverable|user .{1,80} does not exist)', 'no account by that name',
    'is not a known user', 'destination addresses? (were|was) unknown', 'email address could not be found', 'address couldn\'?t be found', 'the email account that you tried to reach does not exist',
    'there is no one at this address', 'this address no longer accepts mail', 'no longer valid', 'user doesn\'?t have an? .{1,40} account',
    'recipient is not (accepted|local)', 'recipient not (ok|found|exist)', 'recipient refuses to accept', 'requested action not taken: mailbox unavailable',
    'recipient notfound', 'badrcptto', 'validrcptto', 'not in my list of allowed rcpthosts', 'utilisateur inconnu', 'nessun utente', 'no existe',
    'adresse d au moins un destinataire invalide', 'address not present in directory', 'user missing home directory', 'user not active',
    'invalid or unknown virtual user', 'nicht gefunden', 'unbekannt', 'envelope recipient (has been denied|is in my)', 'rcpt <.{1,200}does not exist',
    'the user\'?s email name is not found', 'the following recipients was undeliverable', 'destination server rejected recipients',
    'address (does not exist|invalid|rejected\\.)', '#5\\.1\\.1 bad address', 'mailbox not available', 'not a local address', 'can\'?t accept user',
    'not (a )?valid user', 'no valid recipients', 'account .{1,80} does not exist at the organization', 'the recipient name is not recognized',
    'non-?existent (user|account|recipient|mailbox)', 'not listed in (the )?(domino )?directory', 'recipient email address is possibly incorrect', 'you entered couldn\'?t be found', 'wasn\'?t found at', 'user .{1,80} (was not found|does not exist)', 'said: 550[ -]5\\.1\\.1 .{0,200}user unknown',
  ),
  filtered: P(
    'cannot route mail to user',
    'account is protected by', 'bounced address', 'has restricted sms e-mail', 'is not accepting any mail', 'message filtered', 'due to user rules',
    'not found recipient account', 'refuse to receive mail', 'only accepting mail from specific', 'refused due to recipient preferences',
    'user refuses to receive', 'user reject', 'blocked by the recipient',
  ),
  requireptr: P(
    'does not have a ptr record', 'have a ptr record, or the ptr record', 'ipv6 sending guidelines regarding ptr', 'does not match the ip address of the hostname',
    'ip name lookup failed', 'ptr record', 'reverse dns', 'cannot find your hostname', 'cannot resolve your address', 'missing ptr',
    'custom reverse dns', 'reverse lookup rejected', 'unresolvable relay host', 'generic dns ptr', 'mismatches client ip', 'invalid rdns',
    'unverifyable sending ip', 'no reverse dns', 'dns lookup failure: .{1,80} try again later', 'reverse dns lookup for host',
    'forward dns entry does not point', 'reverse (dns|lookup) (failed|required|rejected)', 'ptr resource record',
  ),
  notcompliantrfc: P(
    'missing a valid address in the from: header', 'missing a valid message-id', 'unicode character in a disallowed header', 'encoded-word syntax is not permitted', 'not a valid rfc ?5321 address', 'mail message is malformed',
    'duplicate header', 'not rfc ?5322 compliant', 'rfcmessagenoncompliant', ' multiple .{1,60} header', 'not (rfc|standards?)[- ]?(5322 )?compliant',
    'violates rfc', 'not in rfc ?5322', 'messages? with multiple addresses',
  ),
  badreputation: P(
    'poor (email |sender |ip )?reputation', 'bad reputation', 'low reputation', 'ip reputation', 'domain reputation', 'reputation of (the|your)',
    'sender reputation', 'reputation is too low', 'reputation score',
  ),
  contenterror: P(
    'too many related errors', 'agent generated message depth exceeded', 'invalid message content',
    'duplicate header', 'header size exceeds maximum permitted', 'improper use of 8-bit data', 'header size, or recipient list, exceeds policy limit',
    'mime complexity exceeds', 'too many received: headers', 'too many "received" headers', 'invalid mime headers', 'improperly-formatted binary content',
    'unnecessary base64 encoding', 'illegal characters in header', 'bare lf',
  ),
  rejected: P(
    'mail sending denied',
    'access denied \\(in reply to mail from', 'sender blacklisted', '(?<!recipient |5\\.1\\.0 |ip )address rejected', 'administrative prohibition', 'batv',
    'invalid or expired email address', 'isn\'?t on the recipient\'?s list of senders', 'bogus mail from', 'purported responsible address',
    'without a valid sender domain', 'bouncedeny', 'valid-address-filter', 'domain of sender address', 'senderfilterconfig', 'emetteur invalide',
    'empty envelope senders', 'envelope blocked', 'no third-party dsns', 'from: domain is invalid', 'fully qualified email address required',
    'invalid sender', 'not a registered gateway user', 'mail from not owned', 'email address is not verified', 'null sender is not allowed',
    'returned mail not accepted', 'rule imposed mailbox access', 'sender address has been blacklisted', 'sender (email )?address rejected',
    'sender is in my black list', 'sender is spammer', 'sender not pre-approved', 'sender (was )?rejected', 'sender domain is empty', 'sender verify failed',
    'empty email address', 'rejected by batv', 'does not accept mail from', 'unsigned dsn', 'unroutable sender', 'not allowed to post to this', 'permission to post',
    'address that has been blacklisted', 'recipient addresses rejected : access denied', 'submit messages to this e-mail system has been rejected', 'email address has been blacklisted',
    'sender address (is )?(invalid|not allowed|denied|unknown)', 'sender (domain|address) (does not|doesn\'?t) exist', 'unknown sender',
    'sending this from a different address', 'mx records for .{1,80} (sender|from)',
  ),
  hostunknown: P(
    'domain (name )?(does not exist|doesn\'?t exist|not found|unknown)', 'domain is not reachable', 'domain must exist', 'host or domain name not found',
    'host unknown', 'unknown host', 'host unreachable', 'mail domain mentioned in email address is unknown', 'name or service not known', 'no such domain',
    'unknown domain', 'recipient domain must exist', 'account or domain may not exist', 'unrout(e)?able (mail )?(address|domain)', 'nxdomain',
    'bad destination system', 'illegal host/domain name', 'invalid domain', 'dns error: domain name not found', 'host not found',
    'all relevant mx records point to non-existent hosts', 'all host address lookups failed permanently', 'couldn\'?t find any host named',
    'could not find any host named', 'dns lookup failure: host .{1,80} not found', 'the domain .{1,80} (couldn\'?t|could not) be found', '553 .{0,120}does not exist',
    '(?<![@\\w.-])[a-z0-9-]+(\\.[a-z0-9-]+)+ does not exist',
  ),
  spamdetected: P(
    'nature of the content or the links within',
    ' - spam', 'help_spam', '554 5\\.7\\.0 reject, id=', 'appears to be unsolicited', 'blacklisted url', 'block for spam', 'no spam please', 'by spamassassin',
    'detected as spam', 'unsolicited bulk e-?mail', 'content filter rejection', 'identified this email as a bulk', 'denied due to spam',
    'high probability of spam', 'classified as spam', 'mail content denied', 'may consider spam', 'spam or virus', 'message content rejected',
    'message filtered', 'looks like spam', 'seems to be a spam', 'spamprofiler', 'rejected as spam', 'unacceptable content', 'suspected spam',
    'message rejected for policy reasons', 'possible spam', 'email is spam', 'probable spam', 'bulk\\.advertising', 'spamassassin score', 'rejected - bulk email',
    'banned content', 'rejecting mail content', 'spam-like', 'sender domain listed at', 'due to spam filter', 'spam (blocked|check|content|detected|email|not accepted|refused|rejection|score)',
    'spam message rejected', 'spambouncer', 'spamming not allowed', 'spam complaints', 'too much spam', 'rejected by spam filtering', 'classification as bulk mail',
    'looked like spam', 'appears to be spam', 'identified as spam', 'scored as spam', 'recurrent pattern detection', 'spam message not queued',
    'dont accept spam', 'our system has detected that this message is', 'likely unsolicited mail', 'similar to spam', 'uribl', 'considered spam', 'probably spam', 'blocked by our filter', 'triggered a spam block',
    'spam contents', 'antispam checks', 'bulk email filter', 'spam \\S+ exceeded', 'spam points', 'percent probability of being spam', 'rejected due to spam',
    'mail score \\(', 'blocked by (our )?bulk', 'mail rejete\\. mail rejected\\. .{0,30}506',
  ),
  ratelimited: P(
    'receiving mail too quickly', 'smtp relay (sending )?limit exceeded', 'daily sending quota exceeded', 'daily user sending limit exceeded',
    'max emails per hour', 'try again slower', 'receiving mail at a rate', 'temporarily deferred due to unexpected volume', 'throttling failure',
    'too many errors from your ip', 'trop de connexions', 'numerous attempts to deliver this message', 'connection .{0,40}limit', 'temporarily .{0,40}rate limited',
    'throttled', 'too many .{0,30}sessions?', 'too many .{0,30}recipients', 'too many con', 'rate limit', 'rate-limit', 'ratelimit', 'too fast',
    'sending rate', 'too many (messages|emails|mails) ', 'exceed(s|ed)? (the )?(hourly|daily) (message|sending|rate|limit)',
    'all available ips are at maximum connection limit', 'per-domain connection limit', 'daily message quota exceeded',
  ),
  blocked: P(
    'access denied, please try again later', 'access denied, bad helo', 'access denied, rejected by recipient', 'does not accept email over ipv6', 'access denied, banned sender', 'using customer block list',
    'ip not in whitelist for rcpt domain', 'try again later, closing connection', 'helo/ehlo argument', 'unusual rate of (unsolicited )?mail',
    'said: 550 blocked', 'spamcop\\.net', 'bad sender ip', 'banned sending ip', 'blacklisted by', 'blocked using ', 'blocked - see http', 'dnsbl',
    'client host rejected: (abus|may not be mail exchanger|was not authenticated)', 'confirm this mail server', 'connection (was )?dropped', 'connection refused by',
    'connection reset by peer', 'spamhaus', 'currently sending spam', 'domain does not exist:', 'dynamic/zombied', 'no valid recipients from',
    'not accepting connections', 'bad ip profile', 'go away', 'helo command rejected', 'host network not allowed', 'dynamic ip', 'invalid ip for sending',
    'in a black list', 'not allowed to send mail from', 'no access from mail server', 'no matches to nameserver query', 'accepting mail from your ip',
    'on our block list', 'please use the smtp server of your isp', 'refused - see http', 'multi-blacklist', 'has not passed validation', 'open proxy',
    'sender ip address rejected', 'forbidden by your ip', 'service not available, closing transmission channel', 'after initial connection',
    'allowed rcpthosts', 'looks suspiciously like spammer', 'spams from your ip', 'unwanted messages have been sent from', 'was blocked by ',
    'not allowed to connect', 'you are sending spam', 'listed in the rbl', 'temporary blacklisted', 'blacklisted', 'requires confirmation', ':blocked\\)',
    'access from ip address .{1,60} blocked', 'client host .{1,80} blocked using', 'is_blocked', 'barracudacentral', 'refused to talk to me: .{0,80}blocked',
    'is blocked by', 'rbl on ', 'mail server at .{1,80} is blocked', 'mail from .{1,80} refused', 'rejected based on blacklist', 'due to user complaints',
    'listed as abusive', 'is blacklisted', 'service refused, please try later', 'your access ip', 'abuseat\\.org', 'client host .{0,80}rejected',
    
  ),
  virusdetected: P(
    'potentially executable attachment', 'prohibited virus', 'used by recent viruses', 'virus detected', 'malicious_url', 'infected with a virus',
    'virus', 'malware', 'trojan', 'harmful content',
  ),
  policyviolation: P(
    'has a policy that prohibited', 'sending messages with the same message-id',
    'illegal attachment', 'not accepting mail with ', 'members-only list', 'closed mailing list', 'denied by policy', 'for policy reasons', 'security policies',
    'header are not accepted', 'header error', '(?<!smtp )policy violation', 'organizational settings', 'low priority', 'due to local policy', 'multiple addresses',
    '(?<!smtp )protocol violation', 'not subscribed to this group', 'organization policy', 'content presents a potential', 'images or other attachments',
    'mass mailer', 'allowable number of posts', 'policy rejection', 'rejected by policy', 'violates? (our|the) .{0,30}polic',
  ),
  systemerror: P(
    'several matches found in domino directory', 'dns violates rfc 1035',
    'server busy', 'multiple destination domains per transaction', 'temporarily rejected (this )?message', 'domain policy size per transaction',
    'aliasing/forwarding loop broken', 'can\'?t create user output file', 'could not load drd', 'internal error reading data',
    'internal server error: operation now in progress', 'interrupted system call', 'encountered an error while being processed', 'would create a mail loop',
    'local configuration error', 'local error in processing', 'loop was found in the mail exchanger', 'loops back to myself', 'mail system configuration error',
    'queue file write error', 'there is no mdb', 'remote server is misconfigured', 'server configuration error', 'service currently unavailable',
    'system config error', 'temporary local problem', 'timeout waiting for input', 'transaction failed', 'unable to connect .{0,40}daemon',
    'upstream error', 'system error', 'delivery to (file|pipe) forbidden', 'local delivery failed', 'lmtp error after', 'internal (server )?error', 'temporary system problem',
  ),
  networkerror: P(
    'dns lookup failed\\.',
    'message exceeded \\d+ hops',
    'could not connect and send', 'destination computer could not be found', 'hop count exceeded', 'host is unreachable', 'host name lookup failure',
    'host not found, try again', 'mail forwarding loop', 'malformed (or unexpected )?name server reply', 'forwarding loop count exceeded', 'message looping',
    'routing loop', 'no route to host', 'too many hops', 'exceeded maximum hop count', 'unable to resolve route', 'unrouteable mail domain', 'dns query failed', 'responded with code nxdomain',
    'domain name not found', 'network (is )?unreachable', 'able to establish an smtp connection', 'listed as a best-preference mx',
  ),
  expired: P(
    'connection expired', 'timeout - closing connection',
    'connection timed out', 'could not find a gateway', 'delivery attempts will continue', 'delivery (time )?expired', 'failed to deliver to domain',
    'giving up on', 'have been failing for a long time', 'has been delayed', 'has not been collected after', 'message expired', 'cannot connect to remote server',
    'connection refused', 'message timed out', 'retry time not reached for any host', 'server did not respond', 'in the queue too long',
    'after multiple retries', 'not reachable within the allowed queue period', 'could not be delivered for', 'retry time(out)? (exceeded|reached)',
    'too long in (the )?queue', 'cannot send message (for|within)', 'queue expired', 'was not delivered within', 'lifetime exceeded', 'host not reachable',
    'did not accept our requests to connect', 'could not deliver for the last', 'no action is required on your part', 'delay reason: ', 'delivery failed \\d+ attempts?',
    'has been frozen', 'frozen on arrival', 'timed out', 'still being retried', 'will continue trying',
  ),
  systemfull: P('disk full', 'mail system full', 'out of (disk|storage) space', 'insufficient system (storage|resources)', 'no space left on device', 'file system full'),
  notaccept: P(
    'does not accept (any )?(e-?)?mail', 'host/domain does not accept mail', 'mail receiving disabled', 'name server: \\.: host not found',
    'no mx record found for domain', 'no route for current request', 'an mx or srv record indicated no smtp service', 'no host found for existing smtp connection', 'couldn\'?t find a mail exchanger or ip address', 'smtp protocol returned a permanent error', 'null ?mx', 'doesn\'?t receive (e-?)?mail',
    'not accepting (any )?(e-?)?mail', 'accepts no mail',
  ),
  failedstarttls: P(
    'failed mta-sts validation', 'restrictdomainstoipaddresses', 'restrictdomainstocertificate', 'starttls-not-supported', 'certificate-expired',
    'starttls may not be repeated', 'tls required for rcpt domain', 'use tls/ssl for smtp',
    'starttls (is )?(required|failed|negotiation)', 'tls (negotiation|handshake) (failed|error)', 'must issue a starttls', 'requiretls'),
  securityerror: P(
    'too many login attempts', 'no identity changes permitted', 'application-specific password required', 'log in (with|through) your web browser', 'username and password not accepted',
    'account not subscribed to ses', 'authentication credentials invalid', 'authentication failure', 'authentication (is )?required',
    'authentication turned on in your email client', 'turn on smtp authentication', 'executable files are not allowed in compressed files', 'insecure mail relay',
    'you don\'?t authenticate', 'unauthenticated senders not allowed', 'verification failure', 'not authorized to send mail, authentication',
    'authentication failed; server .{0,80} said', 'authentification (invalide|requise)', 'is a dead domain', 'not authorized to perform ses:',
    'must (be )?authenticated?', 'relay through this server without authentication', 'authentication mechanism is too weak',
  ),
  suppressed: P('suppress(ed|ion) list', 'on the suppression', 'address is suppressed', 'previously bounced', 'recipient is suppressed'),
  mailererror: P(
    ' \\|\\| exit ', 'procmail: ', 'bin/procmail', 'bin/maildrop', 'command failed: ', 'command died with status', 'command output:', 'mailer error',
    'pipe to \\|/', 'x-unix; ', 'exited with', 'killed by signal', 'unknown mailer error',
  ),
  syntaxerror: P(
    'smtp protocol violation', 'optional argument not permitted', 'unimplemented command', 'ehlo/helo first', '\\bmail first', '\\brcpt first', 'no data after bdat', 'unrecognized authentication type', 'xoauth is no longer supported', 'too many unauthenticated commands',
    'angle-brackets nested too deep', 'expected word or "<"', 'domain missing in source-routed address', 'malformed address:', 'syntax error', 'command (not recognized|unrecognized|unknown)', 'unrecognized command', 'bad sequence of commands', 'improper sequence', 'parameter not implemented', 'invalid command', 'unknown command', 'command out of sequence'),
  vacation: P('out of (the )?office', 'on vacation', 'away from (my|the) (office|desk)', 'i am (currently )?away', 'i\'?m (currently )?away', 'i will be out', 'on annual leave', 'autoreply', 'auto-reply', 'automatic reply'),
};

/** First pass: reasons confirmed by the status code or the text, in this order. */
export const FIRST_PASS: readonly FineReason[] = [
  'mailboxfull', 'emailtoolarge', 'suspend', 'hasmoved', 'norelaying', 'authfailure', 'userunknown', 'filtered', 'requireptr',
  'notcompliantrfc', 'badreputation', 'contenterror', 'rejected', 'hostunknown', 'spamdetected', 'ratelimited', 'blocked',
];

/** Second pass (text only) when the status says little. */
export const SECOND_PASS: readonly FineReason[] = [
  'mailboxfull', 'authfailure', 'badreputation', 'ratelimited', 'spamdetected', 'virusdetected', 'policyviolation', 'norelaying',
  'systemerror', 'networkerror', 'suspend', 'contenterror', 'systemfull', 'notaccept', 'expired', 'failedstarttls', 'securityerror',
  'suppressed', 'mailererror',
];

/** Reasons a status code alone cannot settle: retried with the text. */
export const WEAK_REASONS: ReadonlySet<FineReason> = new Set([
  'undefined', 'onhold', 'systemerror', 'securityerror', 'expired', 'networkerror', 'hostunknown', 'userunknown',
]);
