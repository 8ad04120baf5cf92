// .env.example and the README's configuration table are generated from server/config.ts's
// CONFIG_VARIABLES: a variable documented in one place and not the other fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../server/config.js';
import { envExample, envExamplePath, readmePath, readmeWithTable } from '../../server/scripts/configDocs.js';

describe('configuration documentation', () => {
  it('.env.example is exactly what npm run config:docs writes', () => {
    expect(readFileSync(envExamplePath, 'utf8')).toBe(envExample());
  });

  it("the README's configuration table is exactly what npm run config:docs writes", () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(readme).toBe(readmeWithTable(readme));
  });

  it('every variable the server reads is declared, and every declared one is read', () => {
    const read = new Set<string>();
    const spy = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    loadConfig(spy);
    const declared = CONFIG_VARIABLES.map((variable) => variable.name);
    expect([...read].sort()).toEqual([...declared].sort());
  });

  it('refuses malformed numbers instead of guessing', () => {
    expect(() => loadConfig({ PORT: '80x' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadConfig({ TOKEN_CACHE_SIZE: '-1' })).toThrow(/TOKEN_CACHE_SIZE/);
    expect(loadConfig({ TOKEN_CACHE_SIZE: '0' }).tokenCacheSize).toBe(0);
    expect(() => loadConfig({ BETTER_AUTH_SECRET: 'short' })).toThrow(/BETTER_AUTH_SECRET/);
  });
});
