import type { ProviderAdapter } from '../types.js';

/**
 * A provider without its settings keeps its route, refusing every request with the uniform 401
 * (and the reason in the log), so a half-configured integration is loud rather than silent.
 */
export function notConfigured(name: string, setting: string): ProviderAdapter {
  return {
    name,
    verify: () => ({ ok: false, reason: `${setting} is not configured` }),
    parse: () => ({ kind: 'ignored', reason: 'not configured' }),
  };
}
