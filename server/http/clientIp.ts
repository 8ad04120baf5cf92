import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';
import { log } from '../log.js';

export type ClientIpResolver = (request: IncomingMessage) => string;

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED_IPV6 = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/;

/**
 * An address as a proxy wrote it, as a bare IP: some proxies (Azure App Service and Front Door,
 * IIS ARR) write `ip:port` or `[v6]:port`. Null when it is not an address at all ("unknown", an
 * obfuscated id).
 */
export function bareAddress(written: string): string | null {
  const address = IPV4_WITH_PORT.exec(written)?.[1] ?? BRACKETED_IPV6.exec(written)?.[1] ?? written;
  if (!isIP(address)) return null;
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/**
 * The client's address: the socket peer, or — only when the peer is a configured trusted
 * proxy — the nearest untrusted address in X-Forwarded-For. Rotating X-Forwarded-For from
 * the outside therefore changes nothing. (proxy-addr is Express's implementation of this.)
 * Every answer is an IP: Better Auth counts clients without one in a single bucket shared by
 * all of them, so one client could exhaust everyone's sign-in limit. When the proxy wrote
 * something else, the proxy itself is the client (and a warning says so, once).
 */
export function clientIpResolver(trustedProxies: string[]): ClientIpResolver {
  const trust = proxyAddr.compile(trustedProxies);
  let warned = false;
  return (request) => {
    const address = bareAddress(proxyAddr(request, trust));
    if (address) return address;
    const peer = bareAddress(request.socket.remoteAddress ?? '') ?? '0.0.0.0';
    if (!warned) {
      warned = true;
      log.warn({ peer }, 'a trusted proxy sent an X-Forwarded-For entry that is not an IP address; such requests are counted as coming from the proxy itself');
    }
    return peer;
  };
}
