import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseProviderOf, durationSeconds, loadConfig } from '../../server/config.js';

describe('loadConfig', () => {
  it('starts from safe defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      role: 'all',
      port: 3000,
      host: '127.0.0.1',
      databaseProvider: 'sqlite',
      jwtAudience: 'taskfort-api',
      jwtExpiresIn: '15m',
      authRateLimit: true,
      workers: 1,
    });
    expect(config.baseUrl).toBe('http://localhost:3000'); // the address the README gives, in links and the start-up line
    expect(config.jwtIssuer).toBe(config.baseUrl);
    expect(isAbsolute(config.databaseUrl.slice('file:'.length))).toBe(true); // relative paths resolve against the repo
    expect(config.trustedOrigins).toEqual(expect.arrayContaining(['http://localhost:3000', 'http://127.0.0.1:3000']));
  });

  it('trusts only BETTER_AUTH_URL and TRUSTED_ORIGINS once a public URL is set', () => {
    const config = loadConfig({ BETTER_AUTH_URL: 'https://tasks.example.com/', TRUSTED_ORIGINS: 'https://app.example.com, https://b.example.com' });
    expect(config.baseUrl).toBe('https://tasks.example.com');
    expect(config.trustedOrigins.sort()).toEqual(['https://app.example.com', 'https://b.example.com', 'https://tasks.example.com']);
  });

  it.each([
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: 'abc' }, /PORT/],
    [{ ROLE: 'admin' }, /ROLE/],
    [{ ROLE: 'api' }, /AUTH_JWKS_URL/],
    [{ JWT_EXPIRES_IN: 'soon' }, /JWT_EXPIRES_IN/],
    [{ JWT_EXPIRES_IN: '31d' }, /JWKS_GRACE_PERIOD/],
    [{ WEB_CONCURRENCY: '0' }, /WEB_CONCURRENCY/],
    [{ AUTH_RATE_LIMIT: 'maybe' }, /AUTH_RATE_LIMIT/],
    [{ GRAPHQL_MAX_DEPTH: '-1' }, /GRAPHQL_MAX_DEPTH/],
    [{ DATABASE_URL: 'mysql://localhost/db' }, /DATABASE_URL/],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts an API-only node with a key set URL', () => {
    expect(loadConfig({ ROLE: 'api', AUTH_JWKS_URL: 'https://auth.example.com/api/auth/jwks' })).toMatchObject({
      role: 'api',
      authJwksUrl: 'https://auth.example.com/api/auth/jwks',
    });
  });
});

describe('durationSeconds and databaseProviderOf', () => {
  it.each([
    ['20s', 20],
    ['15m', 900],
    ['12h', 43_200],
    ['30d', 2_592_000],
    ['45', 45],
  ])('reads %s as %i seconds', (value, seconds) => {
    expect(durationSeconds(value, 'X')).toBe(seconds);
  });

  it('tells SQLite from PostgreSQL by the URL', () => {
    expect(databaseProviderOf('file:./data/x.db')).toBe('sqlite');
    expect(databaseProviderOf('postgresql://u@h/db')).toBe('postgresql');
    expect(databaseProviderOf('postgres://u@h/db')).toBe('postgresql');
  });
});
