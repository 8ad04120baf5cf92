// Client-side checks with the server's own limits (one definition: server/rules.ts), so users
// hear about a mistake before a round trip. The server stays the authority.
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  SEARCH_MAX_LENGTH,
  TASK_DESCRIPTION_MAX_LENGTH,
  TASK_TITLE_MAX_LENGTH,
} from '../../../server/rules';

export { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, SEARCH_MAX_LENGTH, TASK_DESCRIPTION_MAX_LENGTH, TASK_TITLE_MAX_LENGTH };

/** One "@", something before it, a dot in the domain, no spaces: what the server's check accepts in practice. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function validateName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter your name.';
  if (trimmed.length > NAME_MAX_LENGTH) return `Use at most ${NAME_MAX_LENGTH} characters.`;
  return null;
}

export function validateEmail(email: string): string | null {
  const trimmed = email.trim();
  if (!trimmed) return 'Enter your email address.';
  if (trimmed.length > EMAIL_MAX_LENGTH) return `Use at most ${EMAIL_MAX_LENGTH} characters.`;
  if (!EMAIL_PATTERN.test(trimmed)) return 'Enter a valid email address, like name@example.com.';
  return null;
}

/** For sign-up: the length rules Better Auth enforces. */
export function validateNewPassword(password: string): string | null {
  if (!password) return 'Choose a password.';
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  return null;
}

/** For sign-in: only presence; saying more would hint at which accounts exist. */
export function validateExistingPassword(password: string): string | null {
  return password ? null : 'Enter your password.';
}

export function validateTaskTitle(title: string): string | null {
  const trimmed = title.trim();
  if (!trimmed) return 'Enter a title.';
  if (trimmed.length > TASK_TITLE_MAX_LENGTH) return `Use at most ${TASK_TITLE_MAX_LENGTH} characters.`;
  return null;
}

export function validateTaskDescription(description: string): string | null {
  if (description.length > TASK_DESCRIPTION_MAX_LENGTH) return `Use at most ${TASK_DESCRIPTION_MAX_LENGTH} characters.`;
  return null;
}

/** A same-site path to return to after sign-in; anything else (absolute or protocol-relative URLs) goes home. */
export function safeRedirectPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (value.startsWith('/sign-in') || value.startsWith('/sign-up')) return '/';
  return value;
}
