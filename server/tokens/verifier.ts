import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { invalidTokenError, serviceUnavailableError } from '../graphql/errors.js';
import { KeySetUnavailableError } from './keySet.js';
import { DEFAULT_TOKEN_CACHE_SIZE, VerifiedTokenCache } from './tokenCache.js';

export interface Viewer {
  id: string;
  email: string;
  name: string;
  /** The token's `exp` in epoch milliseconds: a live stream ends when its credentials do. */
  tokenExpiresAtMs: number;
  /** The Better Auth session the JWT was minted from (`sid`): the token dies with it. */
  sessionId: string;
}

export interface TokenVerifierOptions {
  getKey: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /**
   * Verified tokens remembered until their `exp` (TOKEN_CACHE_SIZE, default 10000; 0 = off).
   * An EdDSA signature check costs ~100 µs of CPU and a thread-pool round trip; a client sends
   * the same JWT for its whole lifetime, so every request after its first is a map lookup.
   */
  cacheSize?: number;
}

/** JWTs we mint are a few hundred bytes; anything far larger is refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;

export type TokenVerifier = (token: string) => Promise<Viewer>;

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" is not acceptable`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the signing algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the signing key is unknown';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  return 'the token is malformed';
}

export function createTokenVerifier({ getKey, issuer, audience, cacheSize = DEFAULT_TOKEN_CACHE_SIZE }: TokenVerifierOptions): TokenVerifier {
  const verify = async (token: string): Promise<{ value: Viewer; expiresAtMs: number }> => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer,
        audience,
        algorithms: ['EdDSA'],
        requiredClaims: ['sub', 'iat', 'exp', 'sid'],
        clockTolerance: 2,
      }));
    } catch (error) {
      if (error instanceof KeySetUnavailableError) throw serviceUnavailableError('Token verification');
      throw invalidTokenError(reasonFor(error));
    }
    const { sub, email, name, exp, sid } = payload;
    if (typeof sub !== 'string' || typeof email !== 'string' || typeof name !== 'string' || typeof exp !== 'number' || typeof sid !== 'string' || sid === '') {
      throw invalidTokenError('required claims are missing');
    }
    // Shared by every request that sends this token while it is cached: nobody may change it.
    return { value: Object.freeze({ id: sub, email, name, sessionId: sid, tokenExpiresAtMs: exp * 1000 }), expiresAtMs: exp * 1000 };
  };
  const cache = cacheSize > 0 ? new VerifiedTokenCache<Viewer>(cacheSize) : undefined;
  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) throw invalidTokenError('the token is too large');
    if (cache) return cache.getOrVerify(token, () => verify(token));
    return (await verify(token)).value;
  };
}

/**
 * The API takes credentials from the Authorization header only: no cookies, no query string.
 * Returns null when there is no credential at all, so public fields (introspection) still work.
 */
export async function viewerFromRequest(request: { headers: Headers }, verify: TokenVerifier): Promise<Viewer | null> {
  const header = request.headers.get('authorization');
  if (header === null || header.trim() === '') return null;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) throw invalidTokenError('use the Bearer scheme');
  return verify(match[1]!);
}
