import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { bearer, jwt } from 'better-auth/plugins';
import type { Config } from './config.js';
import type { Database } from './db.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface AuthOptions {
  config: Config;
  db: Database;
  secret: string;
}

export function createAuth({ config, db, secret }: AuthOptions) {
  return betterAuth({
    appName: 'Taskfort',
    baseURL: config.baseUrl,
    basePath: '/api/auth',
    secret,
    trustedOrigins: config.trustedOrigins,
    database: prismaAdapter(db, { provider: config.databaseProvider }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
    },
    plugins: [
      jwt({
        jwks: {
          keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' },
          // A new key is made at the first signing after rotationInterval; the old public key
          // stays in the JWKS for gracePeriod (> token lifetime), so no valid token stops verifying.
          rotationInterval: config.jwksRotationInterval,
          gracePeriod: config.jwksGracePeriod,
        },
        jwt: {
          issuer: config.jwtIssuer,
          audience: config.jwtAudience,
          expirationTime: config.jwtExpiresIn,
          // sub, iat, exp, iss and aud are added by the plugin; keep the rest of the user row out.
          definePayload: ({ user }) => ({ email: user.email, name: user.name }),
        },
      }),
      bearer({ requireSignature: true }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
