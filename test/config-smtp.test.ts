import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const parse = (env: Record<string, string>) =>
  parseConfig({ BOUNCER_DATABASE_URL: 'sqlite::memory:', ...env }).smtp;

describe('SMTP receiver settings', () => {
  it('is off by default', () => {
    expect(parse({})).toEqual({
      listen: null,
      domains: [],
      tlsCertFile: null,
      tlsKeyFile: null,
      maxConnectionsPerIp: 10,
      connectionsPerIpPerMinute: 120,
    });
  });

  it('reads host:port (IPv6 in brackets), domains lower-cased and the TLS files', () => {
    const c = parse({
      BOUNCER_SMTP_LISTEN: '[::1]:2525',
      BOUNCER_SMTP_DOMAINS: 'Bounce.Example.com, verp.example.net',
      BOUNCER_SMTP_TLS_CERT: '/etc/bouncer/smtp.crt',
      BOUNCER_SMTP_TLS_KEY: '/etc/bouncer/smtp.key',
    });
    expect(c.listen).toEqual({ host: '::1', port: 2525 });
    expect(c.domains).toEqual(['bounce.example.com', 'verp.example.net']);
    expect(c.tlsCertFile).toBe('/etc/bouncer/smtp.crt');
  });

  it('refuses a listen address without a port, and a certificate without its key', () => {
    expect(() => parse({ BOUNCER_SMTP_LISTEN: '0.0.0.0' })).toThrow(/BOUNCER_SMTP_LISTEN/);
    expect(() => parse({ BOUNCER_SMTP_TLS_CERT: '/x.crt' })).toThrow(/BOUNCER_SMTP_TLS/);
    expect(() => parse({ BOUNCER_SMTP_DOMAINS: 'bad domain' })).toThrow(/BOUNCER_SMTP_DOMAINS/);
  });
});
