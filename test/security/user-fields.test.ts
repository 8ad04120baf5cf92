import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from '../../server/rules.js';
import { ApiClient, type TestUser } from '../support/client.js';
import { startServer, type RunningServer } from '../support/server.js';

// Issue 10 LOW 7: every user-writable field is validated with the limits the web app shows
// (server/rules.ts); bad input is a 400 with a code, never a 500 with a Prisma stack.

async function codeOf(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { code?: string }).code;
}

describe('user fields: update-user and sign-up', () => {
  let server: RunningServer;
  let api: ApiClient;
  let user: TestUser;
  const updateUser = (body: unknown) => api.post('/api/auth/update-user', body, { authorization: `Bearer ${user.sessionToken}` });
  const storedName = async () => {
    const response = await fetch(`${server.url}/api/auth/get-session`, { headers: { authorization: `Bearer ${user.sessionToken}` } });
    return ((await response.json()) as { user: { name: string; image: string | null } }).user;
  };

  beforeAll(async () => {
    server = await startServer();
    api = new ApiClient(server.url);
    user = await api.createUser({ name: 'Original Name' });
  });
  afterAll(() => server?.stop());

  for (const [label, name] of [
    ['a number', 123],
    ['null', null],
    ['an object', { first: 'A' }],
    ['an array', ['A']],
    ['empty', ''],
    ['only spaces', '   '],
    ['too long', 'n'.repeat(NAME_MAX_LENGTH + 1)],
    ['terminal escapes and a line break', 'Ev\u001b[2K\rROOT\nfake-row'],
    ['a right-to-left override', 'Eve \u202egnp.exe'],
    ['an unpaired surrogate (PostgreSQL would store U+FFFD)', 'Eve \ud800'],
  ] as const) {
    it(`refuses a name that is ${label} with 400 INVALID_NAME`, async () => {
      const response = await updateUser({ name });
      expect(response.status).toBe(400);
      expect(await codeOf(response)).toBe('INVALID_NAME');
    });
  }

  it('keeps names with emoji joined by a zero-width joiner', async () => {
    const response = await updateUser({ name: 'Sam \u{1F469}\u200D\u{1F4BB}' });
    expect(response.status).toBe(200);
    expect((await storedName()).name).toBe('Sam \u{1F469}\u200D\u{1F4BB}');
  });

  it('refuses image (the product has no avatars), whatever its value', async () => {
    for (const image of ['javascript:alert(1)', { url: 'x' }, null]) {
      const response = await updateUser({ image });
      expect(response.status).toBe(400);
      expect(await codeOf(response)).toBe('FIELD_NOT_WRITABLE');
    }
    expect((await storedName()).image).toBeNull();
  });

  it('stores a valid name trimmed, and nothing went to the log as a stack', async () => {
    const response = await updateUser({ name: `  ${'N'.repeat(NAME_MAX_LENGTH)}  ` });
    expect(response.status).toBe(200);
    expect((await storedName()).name).toBe('N'.repeat(NAME_MAX_LENGTH));
    expect(await server.flushedOutput()).not.toMatch(/prisma|PrismaClient|at .*\.ts:\d+/i);
  });

  it('refuses at sign-up: a 10,000-character email, an email over 254, a bad name, an image', async () => {
    const password = 'correct horse battery staple';
    const long = await api.signUp({ name: 'Long', email: `${'e'.repeat(10_000)}@example.com`, password });
    expect(long.status).toBe(400);
    expect(await codeOf(long)).toBe('INVALID_EMAIL');
    const justOver = await api.signUp({ name: 'Long', email: `${'e'.repeat(EMAIL_MAX_LENGTH - 11)}@example.com`, password });
    expect(justOver.status).toBe(400);
    for (const name of ['', ' ', 'n'.repeat(NAME_MAX_LENGTH + 1)]) {
      const response = await api.signUp({ name, email: `name-${Math.random()}@example.com`, password });
      expect(response.status).toBe(400);
      expect(await codeOf(response)).toBe('INVALID_NAME');
    }
    const withImage = await api.post('/api/auth/sign-up/email', {
      name: 'Pic',
      email: `pic-${Math.random()}@example.com`,
      password,
      image: 'javascript:alert(1)',
    });
    expect(withImage.status).toBe(400);
    expect(await codeOf(withImage)).toBe('FIELD_NOT_WRITABLE');
  });

  it('trims the name at sign-up', async () => {
    const created = await api.createUser({ name: '  Spaced Out  ' });
    const response = await fetch(`${server.url}/api/auth/get-session`, { headers: { authorization: `Bearer ${created.sessionToken}` } });
    expect(((await response.json()) as { user: { name: string } }).user.name).toBe('Spaced Out');
  });
});
