import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { buildProviderEndpoints } from '../../src/providers/registry.js';
import type { ProviderEndpoint } from '../../src/providers/types.js';

const config = parseConfig({});
// No SES topic is configured, so the certificate source is never asked.
const deps = { snsCertificates: { candidates: () => Promise.reject(new Error('unused')) } };

describe('provider registry', () => {
  it('gives every provider its routes, with unique ids and routes, even when not configured', async () => {
    const endpoints = buildProviderEndpoints(config, deps);
    const ids = endpoints.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['generic', 'sendgrid', 'ses', 'twilio-status']));
    const sendgrid = endpoints.find((e) => e.id === 'sendgrid');
    const verdict = await sendgrid?.adapter.verify({
      rawBody: Buffer.from('[]'),
      headers: {},
      url: '/webhooks/sendgrid',
      params: {},
      receivedAt: 0,
    });
    expect(verdict).toEqual({ ok: false, reason: 'BOUNCER_SENDGRID_PUBLIC_KEY is not configured' });
  });

  it('refuses two endpoints on one route', () => {
    const clash: ProviderEndpoint = {
      id: 'clash',
      path: '/webhooks/sendgrid',
      adapter: {
        name: 'x',
        verify: () => ({ ok: true }),
        parse: () => ({ kind: 'ignored', reason: '' }),
      },
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'standard',
    };
    expect(() => buildProviderEndpoints(config, deps, [clash])).toThrow(
      /share the route POST \/webhooks\/sendgrid/,
    );
  });
});
