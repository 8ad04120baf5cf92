import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { summarizeError, type Logger } from '../log.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailerOptions {
  /** smtp://user:pass@host:587 or smtps://…; unset: no real mail. */
  smtpUrl: string | undefined;
  from: string;
  isProduction: boolean;
  /** Development without SMTP_URL: each message becomes a file here. */
  outboxDir: string;
  log: Logger;
}

export interface Mailer {
  /** False when mail cannot reach anyone: production without SMTP_URL. Features that need mail say so. */
  readonly available: boolean;
  /** Hands the message over without waiting for SMTP (callers answer at once, whatever happens). */
  send(message: MailMessage): void;
  /** Resolves when every message handed over so far has been delivered or has failed. */
  idle(): Promise<void>;
  close(): void;
}

export class MailUnavailableError extends Error {
  constructor() {
    super('Mail is not configured (SMTP_URL): this feature is unavailable.');
  }
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * smtp:// upgrades with STARTTLS only when the server offers it, so whoever can strip that offer
 * would read the SMTP password and every reset link: STARTTLS is required (nodemailer's
 * requireTLS, set in the URL so that no query parameter there can turn it off), except for a
 * relay on this machine's loopback interface, where nothing crosses a network.
 */
function smtpTransportUrl(smtpUrl: string): string {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error('SMTP_URL is not a valid URL');
  }
  if (url.protocol !== 'smtp:' || isLoopbackHost(url.hostname)) return smtpUrl;
  url.searchParams.set('requireTLS', 'true');
  return url.href;
}

/**
 * nodemailer over SMTP_URL (STARTTLS required unless loopback: smtpTransportUrl). Without it,
 * development writes each message (with its link) to a file in the outbox folder, so a developer
 * can follow a reset link; the log names the file but never carries the link, whose token opens
 * the account. Production refuses (available = false) rather than drop mail silently, and warns
 * once at start-up.
 */
export function createMailer({ smtpUrl, from, isProduction, outboxDir, log }: MailerOptions): Mailer {
  const pending = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  if (!smtpUrl) {
    if (isProduction) {
      log.warn({ log: 'mail' }, 'SMTP_URL is not set: password reset mail is unavailable (set SMTP_URL and MAIL_FROM)');
      return {
        available: false,
        send: () => {
          throw new MailUnavailableError();
        },
        idle,
        close: () => {},
      };
    }
    return {
      available: true,
      send: (message) => {
        const file = join(outboxDir, `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.txt`);
        const content = `To: ${message.to}\nFrom: ${from}\nSubject: ${message.subject}\n\n${message.text}\n`;
        track(
          mkdir(outboxDir, { recursive: true, mode: 0o700 })
            .then(() => writeFile(file, content, { mode: 0o600 }))
            .then(
              () =>
                log.info(
                  { log: 'mail', outbox: 'development', file, to: message.to, subject: message.subject },
                  'mail not sent (no SMTP_URL): written to the development outbox',
                ),
              (error: unknown) => log.error({ log: 'mail', outbox: 'development', err: summarizeError(error) }, 'development outbox not writable'),
            ),
        );
      },
      idle,
      close: () => {},
    };
  }

  const transport = nodemailer.createTransport(smtpTransportUrl(smtpUrl));
  return {
    available: true,
    send: (message) => {
      track(
        transport.sendMail({ from, ...message }).then(
          () => log.info({ log: 'mail', event: 'mail.sent', subject: message.subject }, 'mail sent'),
          (error: unknown) =>
            log.error(
              { log: 'mail', event: 'mail.failed', subject: message.subject, reason: error instanceof Error ? error.message.split('\n')[0] : 'unknown' },
              'mail not delivered',
            ),
        ),
      );
    },
    idle,
    close: () => transport.close(),
  };
}
