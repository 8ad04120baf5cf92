/** Thrown when Better Auth refuses to mint a JWT because the session is gone: the user must sign in. */
export class SessionEndedError extends Error {
  constructor(message = 'Your session has ended. Please sign in again.') {
    super(message);
    this.name = 'SessionEndedError';
  }
}

export interface AccessTokenStore {
  /** The current JWT, or null before the first renewal and after clear(). */
  readonly token: string | null;
  /** True when there is no token or it is close enough to `exp` that it should be replaced first. */
  needsRenewal(): boolean;
  /** Fetches a fresh JWT; concurrent callers share one request. */
  renew(): Promise<string>;
  /** Forgets the token (sign-out); a renewal still in flight is discarded. */
  clear(): void;
}

export interface AccessTokenStoreOptions {
  fetchToken: () => Promise<string>;
  now?: () => number;
}

/** Renew when this share of the token's lifetime is left, but never more than a minute early. */
const RENEW_AT_REMAINING_SHARE = 0.25;
const MAX_RENEWAL_MARGIN_MS = 60_000;
/** Lifetime assumed for a token whose claims cannot be read: renew soon rather than never. */
const FALLBACK_LIFETIME_MS = 30_000;

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Lifetime in ms from the JWT's own iat/exp claims (not verified: the server does that). */
export function tokenLifetimeMs(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(decodeBase64Url(payload)) as { iat?: unknown; exp?: unknown };
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return null;
    const lifetime = (claims.exp - claims.iat) * 1000;
    return lifetime > 0 ? lifetime : null;
  } catch {
    return null;
  }
}

/**
 * Keeps the API's JWT in memory only (never in Web Storage, where any injected script could read it).
 * Renewal time is measured on the local clock from when the token arrived, so a client clock that
 * is off by minutes still renews at the right moment.
 */
export function createAccessTokenStore({ fetchToken, now = () => Date.now() }: AccessTokenStoreOptions): AccessTokenStore {
  let current: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;
  let generation = 0;

  return {
    get token() {
      return current?.token ?? null;
    },
    needsRenewal() {
      return current === null || now() >= current.renewAt;
    },
    renew() {
      if (pending) return pending;
      const startedIn = generation;
      pending = fetchToken()
        .then((token) => {
          if (startedIn !== generation) throw new Error('Signed out while the access token was being renewed.');
          const receivedAt = now();
          const lifetime = tokenLifetimeMs(token) ?? FALLBACK_LIFETIME_MS;
          const margin = Math.min(lifetime * RENEW_AT_REMAINING_SHARE, MAX_RENEWAL_MARGIN_MS);
          current = { token, renewAt: receivedAt + lifetime - margin };
          return token;
        })
        .finally(() => {
          if (startedIn === generation) pending = null;
        });
      return pending;
    },
    clear() {
      generation += 1;
      current = null;
      pending = null;
    },
  };
}
