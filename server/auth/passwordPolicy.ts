import { estimatePassword } from './passwordEstimator.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_MIN_SCORE } from '../rules.js';

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_MIN_SCORE };

/**
 * Returns why the password is refused, or null. Length is checked first, and only the bounded,
 * NFKC-normalised prefix (server/rules.ts) is scored, so no input can make this slow.
 */
export function passwordProblem(password: unknown, userInputs: string[] = []): string | null {
  if (typeof password !== 'string') return 'Password is required.';
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;
  const { score, warning, suggestions } = estimatePassword(password, userInputs);
  if (score >= PASSWORD_MIN_SCORE) return null;
  return `Password is too easy to guess. ${warning ?? ''} ${suggestions.join(' ')}`.replace(/\s+/g, ' ').trim();
}
