import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type TestUser } from '../support/client.js';
import { runCli } from '../support/cli.js';
import { createDatabase } from '../../server/db/client.js';
import { databaseProviderOf } from '../../server/config.js';
import { passwordResetMailKey } from '../../server/auth/rateLimitStore.js';
import { repoRoot, startServer, testDatabaseUrl, type RunningServer } from '../support/server.js';

const CREATE = 'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }';
const NEW_PASSWORD = 'plum velvet orbit 42 lantern';

/**
 * Runs a command on a pseudo-terminal (Python's pty module), as an operator at a terminal would:
 * for each [text, keys] step, waits until the terminal shows `text`, then types `keys`.
 * Prints what the terminal showed (echo included) and the exit code, as JSON.
 */
const PTY_DRIVER = `
import json, os, pty, select, sys, time
spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec['cwd'])
    os.execvp(spec['command'][0], spec['command'])
screen = b''
def read_more(deadline):
    global screen
    ready, _, _ = select.select([fd], [], [], max(0, min(0.1, deadline - time.time())))
    if not ready:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    screen += chunk
    return bool(chunk)
still_open = True
for wait_for, keys in spec['steps']:
    deadline = time.time() + 30
    while still_open and wait_for.encode() not in screen and time.time() < deadline:
        still_open = read_more(deadline)
    if wait_for.encode() not in screen:
        os.kill(pid, 9)
        break
    os.write(fd, keys.encode())
deadline = time.time() + 30
while still_open and time.time() < deadline:
    still_open = read_more(deadline)
_, status = os.waitpid(pid, 0)
print(json.dumps({'screen': screen.decode('utf8', 'replace'), 'exitCode': os.waitstatus_to_exitcode(status)}))
`;

/** `npm run admin -- <args>` at a terminal: what the terminal showed and the exit code. */
function adminAtTerminal(args: string[], env: Record<string, string>, steps: [waitFor: string, keys: string][]): Promise<{ screen: string; exitCode: number }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of Object.keys(childEnv)) if (key === 'TEST' || key.startsWith('VITEST')) delete childEnv[key];
  const spec = { cwd: repoRoot, command: [process.execPath, '--import', 'tsx', 'server/scripts/admin.ts', ...args], steps };
  const driver = spawn('python3', ['-c', PTY_DRIVER, JSON.stringify(spec)], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  driver.stdout.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) =>
    driver.once('close', (code) =>
      code === 0 ? resolve(JSON.parse(output) as { screen: string; exitCode: number }) : reject(new Error(`pty driver exited ${code}`)),
    ),
  );
}

describe('npm run admin (server/scripts/admin.ts) against the running server’s database', { timeout: 300_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let env: Record<string, string>;
  const admin = (args: string[], input = '') => runCli('admin', args, { env, input });

  beforeAll(async () => {
    server = await startServer({ readyTimeoutMs: 180_000 });
    api = new ApiClient(server.url);
    env = { DATABASE_URL: testDatabaseUrl(server.dataDir) };
  });
  afterAll(() => server?.stop());

  async function userWithTasks(count: number): Promise<TestUser> {
    const user = await api.createUser({ name: 'Grace Admin' });
    for (let i = 0; i < count; i++) await api.graphql(CREATE, { input: { title: `task ${i}` } }, { token: user.jwt });
    return user;
  }

  it('users list: id, email, name, created and task count', async () => {
    const user = await userWithTasks(3);
    const result = await admin(['users', 'list']);
    expect(result.code).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.includes(user.email));
    expect(row).toMatch(new RegExp(`^${user.id}\\s+${user.email}\\s+Grace Admin\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+3$`));
    expect(result.stdout).toMatch(/^ID\s+EMAIL\s+NAME\s+CREATED\s+TASKS/);
  });

  it('users list prints a stored name with control characters as escapes, not as terminal commands', async () => {
    const user = await userWithTasks(0);
    // Stored before names were checked for control characters (or written by hand).
    const db = await createDatabase({ databaseUrl: env.DATABASE_URL!, databaseProvider: databaseProviderOf(env.DATABASE_URL!) });
    try {
      await db.user.update({ where: { id: user.id }, data: { name: 'Ev\u001b[2K\rROOT\nfake-row' } });
    } finally {
      await db.$disconnect();
    }
    const result = await admin(['users', 'list']);
    expect(result.code).toBe(0);
    expect([...result.stdout].filter((character) => character !== '\n' && character < ' ')).toEqual([]);
    const row = result.stdout.split('\n').find((line) => line.includes(user.email));
    expect(row).toContain('Ev\\u001b[2K\\u000dROOT\\u000afake-row');
  });

  it('users reset-password: policy-checked password from stdin, Better Auth hash, sessions ended', async () => {
    const user = await userWithTasks(0);
    const weak = await admin(['users', 'reset-password', user.email], 'password123\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^admin: Password is too easy to guess/);

    // A reset link mailed before (the row Better Auth's request-password-reset writes).
    const db = await createDatabase({ databaseUrl: env.DATABASE_URL!, databaseProvider: databaseProviderOf(env.DATABASE_URL!) });
    const expiresAt = new Date(Date.now() + 3_600_000);
    try {
      await db.verification.create({ data: { id: `v-${user.id}`, identifier: 'reset-password:still-valid-token', value: user.id, expiresAt } });
    } finally {
      await db.$disconnect();
    }
    // Someone has been guessing: the account is throttled, even for its owner's password.
    for (let i = 0; i < 10; i++) await api.signIn({ email: user.email, password: 'not the password 9' });
    expect((await api.signIn({ email: user.email, password: user.password })).status).toBe(429);
    const result = await admin(['users', 'reset-password', user.email], `${NEW_PASSWORD}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/password set .* 1 session\(s\) ended, 1 reset link\(s\) cancelled[\s\S]*Forgot password/);
    const reset = await api.post('/api/auth/reset-password', { token: 'still-valid-token', newPassword: 'a different strong passphrase 7' });
    expect(reset.status).toBe(400);
    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);
    expect((await api.signIn({ email: user.email, password: user.password })).status).toBe(401);
    expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
  });

  // Review 5, finding 8: at a terminal the password used to be echoed as it was typed.
  it('users reset-password at a terminal: the password is not echoed, is typed twice, and Backspace edits it', async () => {
    const user = await userWithTasks(0);
    const typo = 'qzx';
    const changed = await adminAtTerminal(['users', 'reset-password', user.email], env, [
      ['(not shown): ', `${NEW_PASSWORD.slice(0, 10)}${typo}${'\u007f'.repeat(typo.length)}${NEW_PASSWORD.slice(10)}\r`],
      ['again: ', `${NEW_PASSWORD}\r`],
    ]);
    expect(changed.exitCode, changed.screen).toBe(0);
    expect(changed.screen).toMatch(/^New password for \S+ \(not shown\): \r\nType it again: \r\npassword set for /);
    for (const typed of [NEW_PASSWORD, NEW_PASSWORD.slice(0, 10), typo]) expect(changed.screen).not.toContain(typed);
    expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);

    const differ = await adminAtTerminal(['users', 'reset-password', user.email], env, [
      ['(not shown): ', 'another strong passphrase 77\r'],
      ['again: ', 'another strong passphrase 78\r'],
    ]);
    expect(differ.exitCode).toBe(1);
    expect(differ.screen).toMatch(/admin: the two passwords differ; nothing changed/);
    const cancelled = await adminAtTerminal(['users', 'reset-password', user.email], env, [['(not shown): ', 'another str\u0003']]);
    expect(cancelled.exitCode).toBe(1);
    expect(cancelled.screen).toMatch(/admin: cancelled; nothing changed/);
    expect((await api.signIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('sessions revoke: the user is signed out everywhere', async () => {
    const user = await userWithTasks(0);
    const result = await admin(['sessions', 'revoke', user.email.toUpperCase()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 session\(s\) of .* ended/);
    // JWTs name their session (sid), so the API refuses them within seconds too.
    expect(result.stdout).not.toMatch(/stay valid/);
    expect(result.stdout).toMatch(/JWTs minted from them are refused within seconds/);
    expect((await api.mintJwt(user.sessionToken)).status).toBe(401);
  });

  it('users delete: refuses without the typed confirmation, then deletes user, sessions, accounts and tasks', async () => {
    const user = await userWithTasks(2);
    const mismatch = await admin(['users', 'delete', user.email], 'someone-else@example.com\n');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/confirmation did not match.*nothing deleted/);
    expect((await api.mintJwt(user.sessionToken)).status).toBe(200);

    const confirmed = await admin(['users', 'delete', user.email], `${user.email}\n`);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/deleted .*: 2 task\(s\), 1 session\(s\), 1 account\(s\)/);
    expect((await api.signIn({ email: user.email, password: user.password })).status).toBe(401);
    expect((await admin(['users', 'list'])).stdout).not.toContain(user.email);

    const other = await userWithTasks(1);
    const withYes = await admin(['users', 'delete', other.email, '--yes']);
    expect(withYes.code, withYes.stderr).toBe(0);
  });

  it('users delete also removes the user’s unused reset tokens and reset-mail counter, as web deletion does (FR-020)', async () => {
    const user = await userWithTasks(0);
    const bystander = await userWithTasks(0);
    const db = await createDatabase({ databaseUrl: env.DATABASE_URL!, databaseProvider: databaseProviderOf(env.DATABASE_URL!) });
    const expiresAt = new Date(Date.now() + 3_600_000);
    const keyed = (userId: string) => ({
      verification: { value: userId, identifier: { startsWith: 'reset-password:' } },
      rateLimit: { key: passwordResetMailKey(userId) },
    });
    try {
      // The rows request-password-reset writes: the mailed token and the per-account mail counter.
      for (const { id } of [user, bystander]) {
        await db.verification.create({ data: { id: `v-${id}`, identifier: `reset-password:token-of-${id}`, value: id, expiresAt } });
        await db.rateLimit.create({ data: { id: `r-${id}`, key: passwordResetMailKey(id), count: 1, lastRequest: BigInt(Date.now()) } });
      }
      const deleted = await admin(['users', 'delete', user.email, '--yes']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(await db.verification.count({ where: keyed(user.id).verification })).toBe(0);
      expect(await db.rateLimit.count({ where: keyed(user.id).rateLimit })).toBe(0);
      expect(await db.verification.count({ where: keyed(bystander.id).verification })).toBe(1);
      expect(await db.rateLimit.count({ where: keyed(bystander.id).rateLimit })).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it('errors are one line on stderr with a non-zero exit: unknown user, unknown command (with usage), unreachable database', async () => {
    const unknownUser = await admin(['sessions', 'revoke', 'nobody@example.com']);
    expect(unknownUser).toMatchObject({ code: 1, stdout: '', stderr: 'admin: no user with email nobody@example.com\n' });

    const unknownCommand = await admin(['users', 'frobnicate']);
    expect(unknownCommand.code).toBe(1);
    expect(unknownCommand.stderr).toMatch(/^admin: unknown command "users frobnicate"\nusage: npm run admin -- <command>/);

    const noSqliteFile = await runCli('admin', ['users', 'list'], { env: { DATABASE_URL: 'file:/nonexistent/taskfort.db' } });
    expect(noSqliteFile.code).toBe(1);
    expect(noSqliteFile.stderr).toMatch(/^admin: no database at \/nonexistent\/taskfort.db/);

    const noPostgres = await runCli('admin', ['users', 'list'], { env: { DATABASE_URL: 'postgresql://taskfort@127.0.0.1:1/taskfort' } });
    expect(noPostgres.code).toBe(1);
    expect(noPostgres.stderr).toMatch(/^admin: cannot reach the database/);
    expect(noPostgres.stderr.trim().split('\n')).toHaveLength(1);
  });
});
