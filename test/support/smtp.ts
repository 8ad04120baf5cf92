import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './server.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: ParsedMail;
}

export interface SmtpReceiver {
  /** smtp://user:pass@127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** AUTH commands received: a client that refuses to go on without TLS sends none. */
  authAttempts: () => number;
  /** Waits for the next message to `to` that was not returned before. */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  countTo(to: string): number;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on a free port (the `smtp-server` package) that keeps what it receives. It
 * never offers STARTTLS. On the loopback interface unless `host` says otherwise (0.0.0.0: every interface).
 */
export async function startSmtpReceiver({ host = '127.0.0.1' }: { host?: string } = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  let authAttempts = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, callback) => {
      authAttempts++;
      callback(null, { user: 'test' });
    },
    onData: (stream, _session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((address) =>
            address.value.map((entry) => entry.address ?? ''),
          );
          messages.push({ to, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', raw: parsed });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    url: `smtp://test:test@127.0.0.1:${port}`,
    messages,
    authAttempts: () => authAttempts,
    countTo: (to) => messages.filter((message) => message.to.includes(to)).length,
    async waitFor(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((message) => !taken.has(message) && message.to.includes(to));
        if (found) {
          taken.add(found);
          return found;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms (received ${messages.length} in all)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
