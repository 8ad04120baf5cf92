import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export type ClientIpResolver = (request: IncomingMessage) => string;

/**
 * The client's address: the socket peer, or — only when the peer is a configured trusted
 * proxy — the nearest untrusted address in X-Forwarded-For. Rotating X-Forwarded-For from
 * the outside therefore changes nothing. (proxy-addr is Express's implementation of this.)
 */
export function clientIpResolver(trustedProxies: string[]): ClientIpResolver {
  const trust = proxyAddr.compile(trustedProxies);
  return (request) => {
    const address = proxyAddr(request, trust);
    return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  };
}
