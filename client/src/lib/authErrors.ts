// What Better Auth's client answers when a call fails, and the messages both the session
// (useAuth) and the account actions (useAccount) show for it.

export interface AuthErrorLike {
  status?: number;
  code?: string;
  message?: string;
}

export const NETWORK_ERROR = 'Could not reach Taskfort. Check your connection and try again.';

/** A refused new password: Better Auth's length codes and our server's strength check. */
export function newPasswordMessage(error: AuthErrorLike): string | null {
  switch (error.code) {
    case 'PASSWORD_TOO_SHORT':
      return 'That password is too short.';
    case 'PASSWORD_TOO_LONG':
      return 'That password is too long.';
    case 'PASSWORD_TOO_WEAK':
      // The server's own advice (zxcvbn's warning and suggestions).
      return error.message || 'That password is too easy to guess.';
  }
  return null;
}
