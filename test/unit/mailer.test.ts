// The mailer against a real SMTP server (smtp-server on a loopback port), and what it does
// without SMTP_URL in development (a file in the outbox, never the link in the log) and production
// (unavailable, never silent).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../server/mail/mailer.js';
import { passwordResetMessage } from '../../server/mail/messages.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino(stream), lines };
}

const message = passwordResetMessage({
  to: 'ada@example.com',
  url: 'http://localhost:3000/reset-password?token=abc&x=1',
  validForSeconds: 3600,
});

/** An address of this machine that is not loopback, to reach a receiver listening on every interface. */
const nonLoopbackAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && !entry.internal && entry.family === 'IPv4')?.address;

describe('mailer', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
  });
  afterAll(() => smtp.stop());

  it('delivers plain text and HTML with the link and when it expires over SMTP_URL', async () => {
    const { log } = capturingLogger();
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Taskfort <no-reply@example.com>', isProduction: true, outboxDir: '/nonexistent', log });
    mailer.send(message);
    await mailer.idle();
    const received = await smtp.waitFor('ada@example.com');
    mailer.close();
    expect(received.subject).toBe('Reset your Taskfort password');
    expect(received.raw.from?.text).toContain('no-reply@example.com');
    expect(received.text).toContain('http://localhost:3000/reset-password?token=abc&x=1');
    expect(received.text).toContain('expires in 1 hour');
    expect(received.html).toContain('href="http://localhost:3000/reset-password?token=abc&amp;x=1"');
    expect(received.text).toMatch(/^Hello,\n/);
  });

  it.skipIf(!nonLoopbackAddress)('over smtp:// to a host that is not loopback, requires STARTTLS: no AUTH and no message in clear text', async () => {
    const plain = await startSmtpReceiver({ host: '0.0.0.0' });
    try {
      const { log, lines } = capturingLogger();
      const smtpUrl = plain.url.replace('127.0.0.1', nonLoopbackAddress!);
      const mailer = createMailer({ smtpUrl, from: 'Taskfort <no-reply@example.com>', isProduction: true, outboxDir: '/nonexistent', log });
      mailer.send(message);
      await mailer.idle();
      mailer.close();
      expect(plain.authAttempts()).toBe(0);
      expect(plain.messages).toHaveLength(0);
      expect(lines).toContainEqual(expect.objectContaining({ log: 'mail', event: 'mail.failed' }));
      expect(JSON.stringify(lines)).not.toContain('token=abc');
    } finally {
      await plain.stop();
    }
  });

  it('in development without SMTP_URL writes the message, link included, to a file in the outbox, and the log names the file only', async () => {
    const { log, lines } = capturingLogger();
    const outboxDir = join(mkdtempSync(join(tmpdir(), 'taskfort-outbox-')), 'outbox');
    try {
      const mailer = createMailer({ smtpUrl: undefined, from: 'x@example.com', isProduction: false, outboxDir, log });
      expect(mailer.available).toBe(true);
      mailer.send(message);
      await mailer.idle();
      const [file, ...others] = readdirSync(outboxDir);
      expect(others).toHaveLength(0);
      const content = readFileSync(join(outboxDir, file!), 'utf8');
      expect(content).toContain('To: ada@example.com');
      expect(content).toContain('http://localhost:3000/reset-password?token=abc&x=1');
      expect(statSync(join(outboxDir, file!)).mode & 0o077).toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ log: 'mail', outbox: 'development', file: join(outboxDir, file!), to: 'ada@example.com' });
      expect(JSON.stringify(lines)).not.toContain('token=abc');
    } finally {
      rmSync(join(outboxDir, '..'), { recursive: true, force: true });
    }
  });

  it('in production without SMTP_URL is unavailable, warns once, and refuses to send', () => {
    const { log, lines } = capturingLogger();
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@example.com', isProduction: true, outboxDir: '/nonexistent', log });
    expect(mailer.available).toBe(false);
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
    expect(() => mailer.send(message)).toThrow(/SMTP_URL/);
  });
});
