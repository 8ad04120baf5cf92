/**
 * npm run admin -- <command>: for operators on the server's machine, against the database the
 * server's configuration (.env, environment) points at. Secrets come on stdin, never as
 * arguments (those land in shell history and `ps`).
 */
import { existsSync } from 'node:fs';
import { hashPassword } from 'better-auth/crypto';
import type { Config } from '../config.js';
import { createDatabase, type Database } from '../db/client.js';
import { passwordProblem } from '../auth/passwordPolicy.js';
import { passwordResetMailKey } from '../auth/rateLimitStore.js';
import { signInFailuresKey } from '../auth/rateLimitStore.js';
import { cancelResetLinks } from '../auth/resetLinks.js';
import { UNPRINTABLE_IN_NAME } from '../rules.js';
import { PromptCancelled, readHiddenLine } from './hiddenPrompt.js';
import { loadOperatorConfig, OperatorError, runOperatorCommand } from './operator.js';

const USAGE = `usage: npm run admin -- <command>
  users list                       id, email, name, created, task count
  users reset-password <email>     sets the password read from stdin (typed twice, hidden, at a terminal); ends that user's sessions
  users delete <email> [--yes]     deletes the user, sessions, accounts, tasks and reset links (confirm by typing the email on stdin)
  sessions revoke <email>          signs that user out everywhere (deletes their sessions)`;

async function readStdinLine(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (process.stdin.isTTY && String(chunk).includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * The new password: at a terminal typed twice without echo (both must match); from a pipe or a
 * file, its first line.
 */
async function readNewPassword(email: string, checkPolicy: (password: string) => void): Promise<string> {
  if (!process.stdin.isTTY) {
    const password = await readStdinLine('');
    checkPolicy(password);
    return password;
  }
  try {
    const password = await readHiddenLine(`New password for ${email} (not shown): `);
    checkPolicy(password); // before asking again: a refused password need not be typed twice
    if ((await readHiddenLine('Type it again: ')) !== password) throw new OperatorError('the two passwords differ; nothing changed');
    return password;
  } catch (error) {
    if (error instanceof PromptCancelled) throw new OperatorError('cancelled; nothing changed');
    throw error;
  }
}

async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseProvider === 'sqlite' && !existsSync(config.databaseUrl.slice('file:'.length))) {
    throw new OperatorError(`no database at ${config.databaseUrl.slice('file:'.length)} (DATABASE_URL); start the server once to create it`);
  }
  let db: Database | undefined;
  try {
    db = await createDatabase(config);
    await db.$queryRawUnsafe('SELECT 1');
    return db;
  } catch (error) {
    await db?.$disconnect().catch(() => undefined);
    throw new OperatorError(`cannot reach the database: ${error instanceof Error ? error.message.split('\n').find(Boolean) : String(error)}`);
  }
}

async function userByEmail(db: Database, email: string | undefined) {
  if (!email) throw new OperatorError(`an email is required\n${USAGE}`);
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) throw new OperatorError(`no user with email ${email}`);
  return user;
}

const UNPRINTABLE = new RegExp(UNPRINTABLE_IN_NAME.source, 'gu');

/** Stored text as the terminal should show it: control characters as \u escapes, never executed. */
function printable(text: string): string {
  return text.replace(UNPRINTABLE, (character) => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

async function listUsers(db: Database) {
  const users = await db.user.findMany({
    orderBy: { createdAt: 'asc' },
    select: { id: true, email: true, name: true, createdAt: true, _count: { select: { tasks: true } } },
  });
  const rows = users.map((user) => [user.id, user.email, printable(user.name), user.createdAt.toISOString(), String(user._count.tasks)]);
  const header = ['ID', 'EMAIL', 'NAME', 'CREATED', 'TASKS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    );
  console.log(`${users.length} user${users.length === 1 ? '' : 's'}`);
}

async function resetPassword(db: Database, email: string | undefined) {
  const user = await userByEmail(db, email);
  const password = await readNewPassword(user.email, (candidate) => {
    const problem = passwordProblem(candidate, [user.email, user.name]);
    if (problem) throw new OperatorError(problem);
  });
  const account = await db.account.findFirst({ where: { userId: user.id, providerId: 'credential' } });
  if (!account) throw new OperatorError(`${user.email} has no email-and-password account`);
  const hash = await hashPassword(password); // Better Auth's own hasher: sign-in verifies it as usual
  // Reset links already mailed would otherwise still set a password of their holder's choosing.
  const [, revoked, resetLinks] = await db.$transaction([
    db.account.update({ where: { id: account.id }, data: { password: hash } }),
    db.session.deleteMany({ where: { userId: user.id } }),
    cancelResetLinks(db, user.id),
    // As a reset by mail does: the owner signs in with the new password at once, even if throttled.
    db.rateLimit.deleteMany({ where: { key: signInFailuresKey(user.email) } }),
  ]);
  console.log(`password set for ${user.email}; ${revoked.count} session(s) ended, ${resetLinks.count} reset link(s) cancelled`);
  console.log(
    '(to let the user choose a password themselves, they can use "Forgot password?" on the sign-in page, which mails a one-time link when SMTP_URL is set)',
  );
}

async function deleteUser(db: Database, email: string | undefined, confirmed: boolean) {
  const user = await userByEmail(db, email);
  if (!confirmed) {
    const typed = await readStdinLine(`Type ${user.email} to delete this user and all their tasks: `);
    if (typed.trim().toLowerCase() !== user.email) throw new OperatorError('confirmation did not match the email; nothing deleted');
  }
  // As web deletion does (betterAuth.ts): also the rows keyed by the user id without a foreign key.
  const [tasks, sessions, accounts] = await db.$transaction([
    db.task.deleteMany({ where: { userId: user.id } }),
    db.session.deleteMany({ where: { userId: user.id } }),
    db.account.deleteMany({ where: { userId: user.id } }),
    cancelResetLinks(db, user.id),
    db.rateLimit.deleteMany({ where: { key: passwordResetMailKey(user.id) } }),
    db.user.delete({ where: { id: user.id } }),
  ]);
  console.log(`deleted ${user.email}: ${tasks.count} task(s), ${sessions.count} session(s), ${accounts.count} account(s)`);
}

async function revokeSessions(db: Database, email: string | undefined) {
  const user = await userByEmail(db, email);
  const { count } = await db.session.deleteMany({ where: { userId: user.id } });
  console.log(`${count} session(s) of ${user.email} ended`);
  console.log('(JWTs minted from them are refused within seconds: the API checks that their session still exists)');
}

async function main() {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((arg) => arg.startsWith('--')));
  const [group, command, email, ...extra] = args.filter((arg) => !arg.startsWith('--'));
  const known = ['users list', 'users reset-password', 'users delete', 'sessions revoke'];
  const name = `${group ?? ''} ${command ?? ''}`;
  if (!known.includes(name)) throw new OperatorError(`${group ? `unknown command "${name.trim()}"` : 'no command given'}\n${USAGE}`);
  const unknownFlags = [...flags].filter((flag) => !(flag === '--yes' && name === 'users delete'));
  if (unknownFlags.length || extra.length) throw new OperatorError(`unexpected argument ${[...unknownFlags, ...extra][0]}\n${USAGE}`);

  const db = await openDatabase(loadOperatorConfig());
  try {
    if (name === 'users list') await listUsers(db);
    else if (name === 'users reset-password') await resetPassword(db, email);
    else if (name === 'users delete') await deleteUser(db, email, flags.has('--yes'));
    else await revokeSessions(db, email);
  } finally {
    await db.$disconnect();
  }
}

await runOperatorCommand('admin', main);
