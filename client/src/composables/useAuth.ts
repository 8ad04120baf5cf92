import { readonly, ref } from 'vue';
import { createAccessTokenStore, SessionEndedError } from '../lib/accessToken';
import { createAuthBroadcast, type AuthBroadcastReason } from '../lib/authBroadcast';
import { authClient } from '../lib/authClient';
import { NETWORK_ERROR, newPasswordMessage, type AuthErrorLike } from '../lib/authErrors';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

/** `field`: the one field a refusal is about, for the form to mark (sign-up's email). */
export type AuthResult = { ok: true } | { ok: false; message: string; field?: 'email' };

const user = ref<SessionUser | null>(null);
/** A one-off message for the sign-in page ("Your session has ended…", "You have signed out."). */
const signInNotice = ref<string | null>(null);
let sessionLoad: Promise<void> | null = null;
const sessionListeners = new Set<(user: SessionUser | null) => void>();
const endedElsewhereListeners = new Set<() => void>();

export const SIGNED_OUT_NOTICE = 'You have signed out.';

/** Sign-out (or a deleted account, a reset password) in another tab ends this tab's session too. */
const otherTabs = createAuthBroadcast((reason: AuthBroadcastReason) => {
  const wasSignedIn = user.value !== null;
  setUser(null); // drops the in-memory JWT with the user
  sessionLoad = null;
  if (!wasSignedIn) return;
  signInNotice.value = reason === 'signed-out' ? SIGNED_OUT_NOTICE : new SessionEndedError().message;
  for (const listener of endedElsewhereListeners) listener();
});

/** The JWT for /graphql, held in memory only and minted from the session cookie. */
export const accessTokens = createAccessTokenStore({
  async fetchToken() {
    let response: Awaited<ReturnType<typeof authClient.token>>;
    try {
      response = await authClient.token();
    } catch {
      throw new Error(NETWORK_ERROR);
    }
    const { data, error } = response;
    if (error) {
      if (error.status === 401 || error.status === 403) throw new SessionEndedError();
      throw new Error(error.message || `Could not renew the access token (HTTP ${error.status}).`);
    }
    if (!data?.token) throw new Error('The server returned no access token.');
    return data.token;
  },
});

function setUser(next: SessionUser | null) {
  const changed = next?.id !== user.value?.id;
  user.value = next;
  if (changed) {
    accessTokens.clear();
    for (const listener of sessionListeners) listener(next);
  }
}

function toSessionUser(value: { id: string; name: string; email: string } | null | undefined): SessionUser | null {
  return value ? { id: value.id, name: value.name, email: value.email } : null;
}

/** Loads the session once (cookie → user); later calls reuse the first answer. */
function ensureSessionLoaded(): Promise<void> {
  sessionLoad ??= authClient
    .getSession()
    .then(({ data }) => setUser(toSessionUser(data?.user)))
    .catch(() => setUser(null))
    .finally(() => {
      // A failed load is retried on the next navigation rather than cached as "signed out" forever.
      if (user.value === null) sessionLoad = null;
    });
  return sessionLoad;
}

function signInMessageFor(error: AuthErrorLike): string {
  // The account's failed sign-ins (any device): the server says for how many minutes, and that a reset lifts it.
  if (error.code === 'TOO_MANY_FAILED_SIGN_INS' && error.message) return error.message;
  if (error.status === 429) return 'Too many attempts. Wait a few seconds and try again.';
  if (error.status && error.status >= 500) return 'Taskfort could not sign you in right now. Please try again.';
  // Wrong email, wrong password, unknown account: one message that names no field.
  return 'Incorrect email or password.';
}

/** What the sign-up form says about a refusal, and the field it is about when there is one. */
function signUpRefusal(error: AuthErrorLike): Extract<AuthResult, { ok: false }> {
  switch (error.code) {
    case 'USER_ALREADY_EXISTS':
    case 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL':
      return { ok: false, field: 'email', message: 'An account with this email already exists. Sign in instead, or use another email.' };
    case 'INVALID_EMAIL':
      return { ok: false, field: 'email', message: 'Enter a valid email address.' };
  }
  const passwordProblem = newPasswordMessage(error);
  if (passwordProblem) return { ok: false, message: passwordProblem };
  if (error.status === 429) return { ok: false, message: 'Too many attempts. Wait a few seconds and try again.' };
  return { ok: false, message: error.message || 'Could not create your account. Please try again.' };
}

async function signIn(input: { email: string; password: string }): Promise<AuthResult> {
  try {
    const { data, error } = await authClient.signIn.email({ email: input.email.trim(), password: input.password });
    if (error) return { ok: false, message: signInMessageFor(error) };
    setUser(toSessionUser(data?.user));
    signInNotice.value = null;
    return { ok: true };
  } catch {
    return { ok: false, message: NETWORK_ERROR };
  }
}

async function signUp(input: { name: string; email: string; password: string }): Promise<AuthResult> {
  try {
    const { data, error } = await authClient.signUp.email({
      name: input.name.trim(),
      email: input.email.trim(),
      password: input.password,
    });
    if (error) return signUpRefusal(error);
    setUser(toSessionUser(data?.user));
    signInNotice.value = null;
    return { ok: true };
  } catch {
    return { ok: false, message: NETWORK_ERROR };
  }
}

async function signOut(): Promise<void> {
  try {
    await authClient.signOut();
  } finally {
    // Even if the request failed, forget everything locally: the JWT, the user, the cached tasks.
    setUser(null);
    sessionLoad = null;
    signInNotice.value = SIGNED_OUT_NOTICE;
    otherTabs.announce('signed-out');
  }
}

/** The session is gone (renewal refused): forget the user and explain why on the sign-in page. */
function endSession(message = new SessionEndedError().message) {
  setUser(null);
  sessionLoad = null;
  signInNotice.value = message;
}

/**
 * The session is over on purpose (password reset, account deleted): forget it locally and leave
 * `notice` (or nothing) for the sign-in page.
 */
function forgetSession(notice: string | null = null) {
  const wasSignedIn = user.value !== null;
  setUser(null);
  sessionLoad = null;
  signInNotice.value = notice;
  if (wasSignedIn) otherTabs.announce('session-ended');
}

/** The server accepted new profile fields: show them at once (the header reads this state). */
function updateUserLocally(changes: Partial<Pick<SessionUser, 'name'>>) {
  if (user.value) user.value = { ...user.value, ...changes };
}

/** Session state shared by the whole app: the signed-in user and the actions that change it. */
export function useAuth() {
  return {
    user: readonly(user),
    signInNotice: readonly(signInNotice),
    ensureSessionLoaded,
    signIn,
    signUp,
    signOut,
    endSession,
    forgetSession,
    updateUserLocally,
    clearSignInNotice: () => (signInNotice.value = null),
    /**
     * Called when another tab of this browser ended the session (sign-out, account deleted): this
     * tab has already forgotten the user and its JWT; the listener leaves signed-in pages.
     */
    onSessionEndedElsewhere(listener: () => void) {
      endedElsewhereListeners.add(listener);
      return () => endedElsewhereListeners.delete(listener);
    },
    /** Called whenever the signed-in user changes (sign-in, sign-out, another account). */
    onUserChange(listener: (user: SessionUser | null) => void) {
      sessionListeners.add(listener);
      return () => sessionListeners.delete(listener);
    },
  };
}
