// The zxcvbn-ts estimator with the dictionaries, options and normalisation of server/rules.ts.
// Shared by the server's password policy and the web app's strength hint (which loads it on
// demand: the dictionaries are large), so both give the same verdict for the same password.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { passwordForScoring, ZXCVBN_OPTIONS } from '../rules.js';

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface StrengthEstimate {
  score: StrengthScore;
  /** Why it is weak ("This is a top-100 common password."), when zxcvbn knows. */
  warning: string | null;
  suggestions: string[];
}

let estimator: ZxcvbnFactory | undefined;

/** zxcvbn's 0–4 estimate of the scored prefix; the user's own name and email count as easy guesses. */
export function estimatePassword(password: string, userInputs: string[] = []): StrengthEstimate {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
    ...ZXCVBN_OPTIONS,
  });
  const inputs = userInputs.filter(Boolean);
  const { score, feedback } = estimator.check(passwordForScoring(password), inputs);
  return { score, warning: feedback.warning || null, suggestions: feedback.suggestions };
}
