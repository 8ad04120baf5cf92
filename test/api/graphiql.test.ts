import { describe, expect, it } from 'vitest';
import { useServer } from '../support/fixtures.js';

const { server, api } = useServer();

const openGraphiQL = (cookie?: string) =>
  fetch(`${server.url}/graphql`, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });

function prefilledToken(html: string): string | undefined {
  return /Bearer (ey[\w-]+\.[\w-]+\.[\w-]+)/.exec(html.replaceAll('\\n', ''))?.[1];
}

describe('GraphiQL', () => {
  it('serves a page that works offline: its assets are inlined, none come from a CDN', async () => {
    const response = await openGraphiQL();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('Taskfort GraphiQL');
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
    expect(html).not.toMatch(/<link[^>]+href="https?:\/\//);
    expect(prefilledToken(html)).toBeUndefined();
  });

  it('opens with a fresh bearer token for a signed-in browser session, and never caches or frames that page', async () => {
    const user = await api.createUser();
    const cookie = `better-auth.session_token=${encodeURIComponent(user.sessionToken)}`;
    const response = await openGraphiQL(cookie);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const token = prefilledToken(await response.text());
    expect(token).toBeDefined();
    const me = await api.graphql('{ me { id } }', {}, { token });
    expect(me.data).toEqual({ me: { id: user.id } });
  });

  it('pre-fills nothing for a session cookie that is not valid', async () => {
    const html = await (await openGraphiQL('better-auth.session_token=forged.value')).text();
    expect(prefilledToken(html)).toBeUndefined();
  });
});
