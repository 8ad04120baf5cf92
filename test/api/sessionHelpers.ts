import { request } from 'node:http';
import { expect } from 'vitest';
import { codesOf, type ApiClient } from '../support/client.js';

export const ME = '{ me { id } }';

/** The promised bound: a JWT stops working within 5 s of its session ending, on every API process. */
export const REVOCATION_BOUND_MS = 5000;

/** The JWT works now (and the API process has cached its session as alive: the worst case). */
export async function expectAccepted(api: ApiClient, jwt: string, headers: Record<string, string> = {}) {
  const response = await api.graphql(ME, {}, { token: jwt, headers });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
}

export function isRefusedAsEnded(response: Awaited<ReturnType<ApiClient['graphql']>>): boolean {
  return codesOf(response).join() === 'UNAUTHENTICATED' && (response.headers.get('www-authenticate') ?? '').includes('error="invalid_token"');
}

/**
 * Polls until the JWT is refused as UNAUTHENTICATED with `WWW-Authenticate: Bearer
 * error="invalid_token"`; returns how long after `endedAt` the first refused request was sent.
 */
export async function msUntilRefused(api: ApiClient, jwt: string, endedAt: number, headers: () => Record<string, string> = () => ({})): Promise<number> {
  for (;;) {
    const sentAt = Date.now();
    const response = await api.graphql(ME, {}, { token: jwt, headers: headers() });
    if (isRefusedAsEnded(response)) return sentAt - endedAt;
    expect(response.errors, `accepted, or refused for another reason: ${JSON.stringify(response.body)}`).toBeUndefined();
    if (sentAt - endedAt > REVOCATION_BOUND_MS * 3) throw new Error(`still accepted ${sentAt - endedAt} ms after its session ended`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function expectRefusedWithinBound(api: ApiClient, jwt: string, endedAt: number) {
  const elapsed = await msUntilRefused(api, jwt, endedAt);
  expect(elapsed).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  return elapsed;
}

/** Signs in again: a second session (token from `set-auth-token`) and a JWT minted from it. */
export async function signInSession(api: ApiClient, email: string, password: string): Promise<{ sessionToken: string; jwt: string }> {
  const response = await api.signIn({ email, password });
  if (!response.ok) throw new Error(`sign-in failed ${response.status}: ${await response.text()}`);
  const sessionToken = response.headers.get('set-auth-token');
  if (!sessionToken) throw new Error('sign-in returned no set-auth-token');
  return { sessionToken, jwt: await api.jwtFor(sessionToken) };
}

export function bearer(sessionToken: string): Record<string, string> {
  return { authorization: `Bearer ${sessionToken}` };
}

/** GET /api/auth/get-session with a session token: the session, or null when it has ended. */
export async function sessionOf(api: ApiClient, sessionToken: string): Promise<{ user: { id: string; name: string }; session: { id: string } } | null> {
  const response = await fetch(`${api.baseUrl}/api/auth/get-session`, { headers: bearer(sessionToken) });
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

export interface Answer {
  status: number;
  wwwAuthenticate: string | undefined;
  codes: string[];
}

/** One GraphQL request on a NEW connection, so the cluster's round robin spreads them over the workers. */
export function graphqlOnNewConnection(url: string, jwt: string, requestId: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: ME });
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}`, 'x-request-id': requestId, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
          resolve({
            status: res.statusCode ?? 0,
            wwwAuthenticate: res.headers['www-authenticate'],
            codes: (parsed.errors ?? []).map((error) => error.extensions?.code ?? ''),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const isRefused = (answer: Answer) => answer.codes.join() === 'UNAUTHENTICATED' && (answer.wwwAuthenticate ?? '').includes('error="invalid_token"');

/**
 * Polls on fresh connections until `consecutive` requests in a row are refused; returns when
 * (after `endedAt`) the first of them was sent.
 */
export async function msUntilRefusedEverywhere(urls: string[], jwt: string, endedAt: number, consecutive = 4): Promise<number> {
  let streakStartedAt: number | null = null;
  let streak = 0;
  for (let i = 0; ; i++) {
    const sentAt = Date.now();
    const answer = await graphqlOnNewConnection(urls[i % urls.length]!, jwt, `poll-${endedAt}-${i}`);
    if (isRefused(answer)) {
      streakStartedAt ??= sentAt;
      if (++streak >= consecutive) return streakStartedAt - endedAt;
    } else {
      expect(answer.codes, 'accepted, or refused for another reason').toEqual([]);
      streak = 0;
      streakStartedAt = null;
    }
    if (sentAt - endedAt > REVOCATION_BOUND_MS * 4) throw new Error(`still accepted somewhere ${sentAt - endedAt} ms after sign-out`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
