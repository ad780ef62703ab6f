import type { FormatParser } from '../types.js';
import { parseAmazonSesJson } from './amazonses.js';
import { parseAppliances } from './appliances.js';
import { parseExim } from './exim.js';
import { parseFailedRecipientsHeader, parseOriginalRecipient } from './fallback.js';
import { parseGenericNotice } from './generic.js';
import { parseGmailNotice } from './gmail.js';

/** Non-standard MTA formats that must run before the RFC 3464 reader, most specific first. */
export const SPECIFIC_FORMATS: readonly FormatParser[] = [parseAmazonSesJson];

/** Readers of plain-text notices, tried when the mail carries no delivery-status part. */
export const TEXT_FORMATS: readonly FormatParser[] = [
  parseAppliances,
  parseExim,
  parseGmailNotice,
  parseGenericNotice,
  parseFailedRecipientsHeader,
  parseOriginalRecipient,
];
