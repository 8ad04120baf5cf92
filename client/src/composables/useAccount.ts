import { authClient } from '../lib/authClient';
import { accessTokens, useAuth } from './useAuth';
import { NETWORK_ERROR, newPasswordMessage, type AuthErrorLike } from '../lib/authErrors';

// The account actions of Better Auth's client (password reset, change password, profile, deletion)
// with the messages people see. Better Auth answers { data, error }; error.code is its error code.

const TOO_MANY_ATTEMPTS = 'Too many attempts. Wait a little and try again.';

/** What the server answers when it cannot send mail: ours (MAIL_UNAVAILABLE) or Better Auth's own. */
const MAIL_UNAVAILABLE_CODES = new Set(['MAIL_UNAVAILABLE', 'RESET_PASSWORD_DISABLED']);

export type ResetRequestResult = { ok: true } | { ok: false; reason: 'mail-unavailable' | 'failed'; message: string };
export type ResetPasswordResult = { ok: true } | { ok: false; reason: 'invalid-token' | 'failed'; message: string };
export type ChangePasswordResult = { ok: true } | { ok: false; field: 'currentPassword' | 'newPassword' | null; message: string };
export type AccountResult = { ok: true } | { ok: false; message: string };

export const PASSWORD_CHANGED_NOTICE = 'Password changed: sign in with your new password.';

function genericMessage(error: AuthErrorLike, fallback: string): string {
  if (error.status === 429) return TOO_MANY_ATTEMPTS;
  if (error.status && error.status >= 500) return `${fallback} The server had a problem; please try again.`;
  return error.message ? `${fallback} ${error.message}` : fallback;
}

/** `redirectTo` of the reset mail: Better Auth's link lands here with ?token=… or ?error=INVALID_TOKEN. */
export function resetPasswordPageUrl(): string {
  return new URL('/reset-password', window.location.origin).toString();
}

async function requestPasswordReset(email: string): Promise<ResetRequestResult> {
  try {
    const { error } = await authClient.requestPasswordReset({ email: email.trim(), redirectTo: resetPasswordPageUrl() });
    if (!error) return { ok: true };
    if ((error.code && MAIL_UNAVAILABLE_CODES.has(error.code)) || error.status === 503) {
      return {
        ok: false,
        reason: 'mail-unavailable',
        message:
          'Password reset is not available on this server: it cannot send email. Contact the administrator of this Taskfort to get back into your account.',
      };
    }
    return { ok: false, reason: 'failed', message: genericMessage(error, 'Could not send the reset link.') };
  } catch {
    return { ok: false, reason: 'failed', message: NETWORK_ERROR };
  }
}

async function resetPassword(token: string, newPassword: string): Promise<ResetPasswordResult> {
  try {
    const { error } = await authClient.resetPassword({ newPassword, token });
    if (!error) {
      // The reset ended every session of the account, this browser's too if it had one.
      useAuth().forgetSession(PASSWORD_CHANGED_NOTICE);
      return { ok: true };
    }
    if (error.code === 'INVALID_TOKEN') return { ok: false, reason: 'invalid-token', message: 'This reset link has expired or was already used.' };
    return { ok: false, reason: 'failed', message: newPasswordMessage(error) ?? genericMessage(error, 'Could not change your password.') };
  } catch {
    return { ok: false, reason: 'failed', message: NETWORK_ERROR };
  }
}

async function changePassword(input: { currentPassword: string; newPassword: string; signOutOtherDevices: boolean }): Promise<ChangePasswordResult> {
  try {
    const { error } = await authClient.changePassword({
      currentPassword: input.currentPassword,
      newPassword: input.newPassword,
      revokeOtherSessions: input.signOutOtherDevices,
    });
    if (!error) {
      // Signing out the other devices replaces this device's session too (new cookie): the JWT
      // minted from the old one is about to be refused, so mint the next one from the new session.
      if (input.signOutOtherDevices) accessTokens.clear();
      return { ok: true };
    }
    if (error.code === 'INVALID_PASSWORD') return { ok: false, field: 'currentPassword', message: 'Your current password is not correct.' };
    const newPasswordProblem = newPasswordMessage(error);
    if (newPasswordProblem) return { ok: false, field: 'newPassword', message: newPasswordProblem };
    return { ok: false, field: null, message: genericMessage(error, 'Could not change your password.') };
  } catch {
    return { ok: false, field: null, message: NETWORK_ERROR };
  }
}

async function updateName(name: string): Promise<AccountResult> {
  const trimmed = name.trim();
  try {
    const { error } = await authClient.updateUser({ name: trimmed });
    if (error) return { ok: false, message: genericMessage(error, 'Could not save your name.') };
    useAuth().updateUserLocally({ name: trimmed });
    return { ok: true };
  } catch {
    return { ok: false, message: NETWORK_ERROR };
  }
}

async function deleteAccount(password: string): Promise<AccountResult> {
  try {
    const { error } = await authClient.deleteUser({ password });
    if (error) {
      if (error.code === 'INVALID_PASSWORD') return { ok: false, message: 'That password is not correct. Nothing was deleted.' };
      return { ok: false, message: genericMessage(error, 'Could not delete your account. Nothing was deleted.') };
    }
    useAuth().forgetSession();
    return { ok: true };
  } catch {
    return { ok: false, message: NETWORK_ERROR };
  }
}

/** Account recovery and management through Better Auth (/api/auth/*). */
export function useAccount() {
  return { requestPasswordReset, resetPassword, changePassword, updateName, deleteAccount };
}
