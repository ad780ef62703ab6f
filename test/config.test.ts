import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.js';
import { MS_PER_DAY } from '../src/core/clock.js';

describe('configuration', () => {
  it('defaults to the embedded SQLite file, port 8080 and region US', () => {
    const c = parseConfig({});
    expect(c.database).toEqual({
      kind: 'sqlite',
      path: './data/bouncer.db',
      synchronous: 'FULL',
      driver: 'better-sqlite3',
    });
    expect(c.http.port).toBe(8080);
    expect(c.defaultPhoneRegion).toBe('US');
    expect(Object.isFrozen(c.policy.rules)).toBe(true);
  });

  it('reads PostgreSQL and other SQLite files from BOUNCER_DATABASE_URL', () => {
    expect(parseConfig({ BOUNCER_DATABASE_URL: 'postgres://u@h/db' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
      connectTimeoutMs: 60_000,
    });
    expect(parseConfig({ BOUNCER_DATABASE_URL: 'sqlite:/var/lib/b.db' }).database).toMatchObject({
      kind: 'sqlite',
      path: '/var/lib/b.db',
    });
  });

  it.each([
    [{ BOUNCER_DATABASE_URL: 'mysql://x' }, 'BOUNCER_DATABASE_URL'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ BOUNCER_DEFAULT_PHONE_REGION: 'XX' }, 'BOUNCER_DEFAULT_PHONE_REGION'],
    [{ BOUNCER_API_KEY: 'short' }, 'BOUNCER_API_KEY'],
    [{ BOUNCER_POLICY: '{"nope":"permanent"}' }, 'BOUNCER_POLICY'],
    [{ BOUNCER_POLICY: '{"soft_bounce":"sometimes"}' }, 'BOUNCER_POLICY.soft_bounce'],
    [{ BOUNCER_ALLOWLIST: 'not a domain' }, 'BOUNCER_ALLOWLIST'],
    [{ BOUNCER_LOG_LEVEL: 'loud' }, 'BOUNCER_LOG_LEVEL'],
  ])('stops with a message naming the bad setting (%j)', (env, name) => {
    expect(() => parseConfig(env)).toThrow(name);
  });

  it('configures each policy rule and the allowlist', () => {
    const c = parseConfig({
      BOUNCER_POLICY: JSON.stringify({
        soft_bounce: { mode: 'cooldown', cooldownDays: 3, permanentAfter: 2, windowDays: 10 },
        unsubscribe: 'none',
      }),
      BOUNCER_ALLOWLIST: 'ceo@Example.com,partner.org',
      BOUNCER_TRANSACTIONAL_IGNORES: 'unsubscribe,sms_opt_out',
    });
    expect(c.policy.rules.soft_bounce).toEqual({
      mode: 'cooldown',
      cooldownMs: 3 * MS_PER_DAY,
      permanentAfter: 2,
      windowMs: 10 * MS_PER_DAY,
    });
    expect(c.policy.rules.unsubscribe).toEqual({ mode: 'none' });
    expect(c.policy.allowlist).toEqual({
      addresses: ['ceo@example.com'],
      domains: ['partner.org'],
    });
    expect(c.policy.transactionalIgnores).toEqual(['unsubscribe', 'sms_opt_out']);
  });

  it('reads a JSON file named by BOUNCER_CONFIG, with the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bouncer-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        PORT: 9000,
        BOUNCER_DEFAULT_PHONE_REGION: 'GB',
        BOUNCER_POLICY: { hard_bounce: 'permanent' },
      }),
    );
    const c = loadConfig({ BOUNCER_CONFIG: file, PORT: '9100' });
    expect(c.http.port).toBe(9100);
    expect(c.defaultPhoneRegion).toBe('GB');
    expect(() => loadConfig({ BOUNCER_CONFIG: join(dir, 'missing.json') })).toThrow(
      'BOUNCER_CONFIG',
    );
  });
});
