import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** zxcvbn scores 0-4; below 2 means guessable within about 10^6 guesses (common passwords and their variants). */
export const PASSWORD_MIN_SCORE = 2;

let estimator: ZxcvbnFactory | undefined;

/** Returns why the password is refused, or null. Length is checked first, so nothing long is ever scored. */
export function passwordProblem(password: unknown, userInputs: string[] = []): string | null {
  if (typeof password !== 'string') return 'Password is required.';
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
  });
  const { score, feedback } = estimator.check(password, userInputs.filter(Boolean));
  if (score >= PASSWORD_MIN_SCORE) return null;
  return `Password is too easy to guess. ${feedback.warning ?? ''} ${feedback.suggestions.join(' ')}`.replace(/\s+/g, ' ').trim();
}
