// Loaded on demand (dynamic import) the first time someone types a new password: the
// dictionaries are large and nobody else needs them. Same estimator, dictionaries and English
// feedback as the server's password policy, so the hint and the server's verdict agree.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface StrengthEstimate {
  score: StrengthScore;
  /** Why it is weak ("This is a top-100 common password."), when zxcvbn knows. */
  warning: string | null;
  suggestions: string[];
}

let estimator: ZxcvbnFactory | undefined;

/** zxcvbn's 0–4 estimate; the user's own name and email count as easy guesses. */
export function estimatePassword(password: string, userInputs: string[] = []): StrengthEstimate {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
  });
  const { score, feedback } = estimator.check(password, userInputs.filter(Boolean));
  return { score, warning: feedback.warning || null, suggestions: feedback.suggestions };
}
