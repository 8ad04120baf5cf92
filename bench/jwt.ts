// Row 7: what verifying one bearer JWT costs, in process, without HTTP around it.
// Same token shape the server mints (EdDSA/Ed25519, iss, aud, sub, email, name, 15 min), the
// same key-set wrapper the server uses, and the server's own verifier with and without its cache.
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { reloadingKeySet } from '../server/tokens/keySet.js';
import { createTokenVerifier } from '../server/tokens/verifier.js';

export interface MicroResult {
  name: string;
  ops: number;
  /** Mean µs per verification (serial). */
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

const ISSUER = 'http://bench.invalid';
const AUDIENCE = 'taskfort-api';

/** Runs `run(iterations + i)` to warm up the JIT first, then times `run(0 … iterations-1)` one at a time. */
export async function timeSerial(name: string, iterations: number, run: (i: number) => Promise<unknown>): Promise<MicroResult> {
  for (let i = 0; i < 500; i++) await run(iterations + i);
  const samples = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await run(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalUs = Number(process.hrtime.bigint() - started) / 1000;
  samples.sort();
  const at = (p: number) => samples[Math.min(iterations - 1, Math.ceil((p / 100) * iterations) - 1)]!;
  return { name, ops: iterations, meanUs: totalUs / iterations, p50Us: at(50), p99Us: at(99) };
}

export async function benchJwtVerification({ iterations = 3000 } = {}): Promise<MicroResult[]> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'EdDSA' };
  const jwks = { keys: [jwk] };
  const sign = (sub: string) =>
    new SignJWT({ email: `${sub}@bench.invalid`, name: 'Bench', sid: `session-${sub}` })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'bench-key' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(privateKey);
  // Distinct tokens for the miss paths, so no layer can answer from memory.
  const tokens = await Promise.all(Array.from({ length: iterations + 500 }, (_, i) => sign(`user-${i}`)));
  const oneToken = tokens[0]!;
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['EdDSA'], requiredClaims: ['sub', 'iat', 'exp'], clockTolerance: 2 };

  const localKeySet = createLocalJWKSet(jwks);
  const serverKeySet = reloadingKeySet(async () => jwks);
  await serverKeySet.reload();
  const uncached = createTokenVerifier({ getKey: serverKeySet, issuer: ISSUER, audience: AUDIENCE, cacheSize: 0 });
  const cached = createTokenVerifier({ getKey: serverKeySet, issuer: ISSUER, audience: AUDIENCE });

  const results = [
    await timeSerial('jose jwtVerify, local key set', iterations, (i) => jwtVerify(tokens[i]!, localKeySet, options)),
    await timeSerial('server verifier, cache off', iterations, (i) => uncached(tokens[i]!)),
    await timeSerial('server verifier, cache miss (new token)', iterations, (i) => cached(tokens[i]!)),
    await timeSerial('server verifier, cache hit (same token)', iterations * 20, () => cached(oneToken)),
  ];
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const result of await benchJwtVerification()) {
    console.log(`${result.name.padEnd(42)} ${result.meanUs.toFixed(2).padStart(9)} µs/op  p50 ${result.p50Us.toFixed(2)}  p99 ${result.p99Us.toFixed(2)}`);
  }
}
