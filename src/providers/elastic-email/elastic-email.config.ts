import { fail, type Reader } from '../../config.js';
import { checkSharedSecrets } from '../shared/credentials.js';
import { checkAllowList } from '../shared/source-ips.js';

export interface ElasticEmailConfig {
  /** Tokens accepted in `/webhooks/elastic-email/:token` (`BOUNCER_ELASTIC_EMAIL_TOKENS`, rotation). */
  tokens: string[];
  /** Source networks allowed to call (`BOUNCER_ELASTIC_EMAIL_ALLOWED_IPS`); empty: any. */
  allowedIps: string[];
}

export function parseElasticEmailConfig(r: Reader): ElasticEmailConfig {
  const tokens = r.list('BOUNCER_ELASTIC_EMAIL_TOKENS');
  const allowedIps = r.list('BOUNCER_ELASTIC_EMAIL_ALLOWED_IPS');
  const tokenProblem = checkSharedSecrets('BOUNCER_ELASTIC_EMAIL_TOKENS', tokens, 'token');
  if (tokenProblem !== null)
    fail('BOUNCER_ELASTIC_EMAIL_TOKENS', tokenProblem.replace(/^[A-Z_]+: /, ''));
  const ipProblem = checkAllowList('BOUNCER_ELASTIC_EMAIL_ALLOWED_IPS', allowedIps);
  if (ipProblem !== null)
    fail('BOUNCER_ELASTIC_EMAIL_ALLOWED_IPS', ipProblem.replace(/^[A-Z_]+: /, ''));
  return { tokens, allowedIps };
}
