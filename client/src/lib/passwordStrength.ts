// Loaded on demand (dynamic import) the first time someone types a password: the dictionaries
// are large and nobody else needs them.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

let estimator: ZxcvbnFactory | undefined;

/** zxcvbn's 0–4 score for the password; the user's own name and email count as easy guesses. */
export function scorePassword(password: string, userInputs: string[] = []): StrengthScore {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator.check(password, userInputs.filter(Boolean)).score;
}
