export { parseBounceMail, type ParsedBounceMail, type ParseMailOptions } from './parse.js';
export type { BounceMailRecipient, MailSeverity } from './recipient.js';
export { splitMbox } from './mime.js';
export { bounceMailToEvents } from './to-events.js';
export { verpRegex } from './verp.js';
export { unsubscribeTokensIn } from './unsubscribe-mail.js';
