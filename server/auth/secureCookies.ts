import type { Config } from '../config.js';
import type { Logger } from '../log.js';

/**
 * Better Auth marks its cookies Secure (and names them __Secure-…) only when BETTER_AUTH_URL is
 * https://, whatever NODE_ENV says; production also starts without BETTER_AUTH_URL, whose default
 * is http://HOST:PORT. Say so once at start-up rather than refuse: TLS may end at a proxy that
 * the operator has yet to put in front. API nodes set no cookies.
 */
export function warnWhenCookiesAreNotSecure(
  { isProduction, baseUrl, role }: Pick<Config, 'isProduction' | 'baseUrl' | 'role'>,
  logger: Pick<Logger, 'warn'>,
): void {
  if (!isProduction || role === 'api' || baseUrl.startsWith('https://')) return;
  logger.warn(
    { log: 'auth', baseUrl },
    'NODE_ENV=production but BETTER_AUTH_URL is not an https:// URL (or not set): session cookies are sent without Secure; set it to the public https:// address',
  );
}
