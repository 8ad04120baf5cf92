import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTH_CHANNEL_NAME } from '../lib/authBroadcast';
import { accessTokens, useAuth } from './useAuth';

vi.mock('../lib/authClient', async () => {
  const { createFakeAuthClient } = await import('../testing/fakeAuthClient');
  return { authClient: createFakeAuthClient() };
});

/** Another tab of the same browser: its own channel, as another document would have. */
function otherTab() {
  const channel = new BroadcastChannel(AUTH_CHANNEL_NAME);
  const received: unknown[] = [];
  channel.addEventListener('message', (event: MessageEvent<unknown>) => received.push(event.data));
  return { channel, received };
}

const tabs: BroadcastChannel[] = [];
afterEach(async () => {
  for (const channel of tabs.splice(0)) channel.close();
  useAuth().clearSignInNotice();
});

describe('sign-out across tabs', () => {
  it('tells the other tabs when this one signs out, with no token, user or email in the message', async () => {
    const auth = useAuth();
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery staple' });
    await accessTokens.renew();
    const tab = otherTab();
    tabs.push(tab.channel);
    await auth.signOut();
    await vi.waitFor(() => expect(tab.received).toHaveLength(1));
    expect(tab.received[0]).toEqual({ type: 'session-over', reason: 'signed-out' });
    expect(JSON.stringify(tab.received)).not.toMatch(/ada|user-1|eyJ|token/i);
  });

  it('forgets the user and the JWT at once when another tab signs out, and says so on the sign-in page', async () => {
    const auth = useAuth();
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery staple' });
    const before = await accessTokens.renew();
    expect(before).toBeTruthy();
    const ended = vi.fn();
    const stop = auth.onSessionEndedElsewhere(ended);
    const tab = otherTab();
    tabs.push(tab.channel);

    tab.channel.postMessage({ type: 'session-over', reason: 'signed-out' });
    await vi.waitFor(() => expect(ended).toHaveBeenCalledTimes(1));
    expect(auth.user.value).toBeNull();
    expect(auth.signInNotice.value).toBe('You have signed out.');
    // The JWT held in memory is gone: the next request would need a new one from the (ended) session.
    expect(accessTokens.token).toBeNull();
    stop();
  });

  it('ignores messages it does not know', async () => {
    const auth = useAuth();
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery staple' });
    const tab = otherTab();
    tabs.push(tab.channel);
    tab.channel.postMessage({ type: 'something else' });
    tab.channel.postMessage('signed-out');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(auth.user.value).not.toBeNull();
    await auth.signOut();
  });
});
