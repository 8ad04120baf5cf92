import { computed, ref, watch, type Ref } from 'vue';
import { PASSWORD_MIN_SCORE } from '../../../server/rules';
import type { StrengthEstimate, StrengthScore } from '../lib/passwordStrength';
import type { estimatePassword } from '../lib/passwordStrength';
import { validateNewPassword } from '../lib/validation';

export { PASSWORD_MIN_SCORE };

export interface PasswordStrength {
  score: StrengthScore;
  label: string;
  advice: string;
  acceptable: boolean;
}

const LABELS: Record<StrengthScore, string> = { 0: 'Very weak', 1: 'Weak', 2: 'Fair', 3: 'Good', 4: 'Strong' };
const DEFAULT_ADVICE: Record<StrengthScore, string> = {
  0: 'Too easy to guess. Try a few unrelated words together.',
  1: 'Too easy to guess. Add another word or two.',
  2: 'Acceptable. A little longer would make it much stronger.',
  3: 'Hard to guess.',
  4: 'Very hard to guess.',
};

type Estimator = typeof estimatePassword;
let estimatorLoad: Promise<Estimator> | undefined;

function loadEstimator(): Promise<Estimator> {
  estimatorLoad ??= import('../lib/passwordStrength')
    .then((module) => module.estimatePassword)
    .catch((error: unknown) => {
      estimatorLoad = undefined; // offline: try again next time
      throw error;
    });
  return estimatorLoad;
}

function describe(estimate: StrengthEstimate): PasswordStrength {
  const acceptable = estimate.score >= PASSWORD_MIN_SCORE;
  const specific = [estimate.warning, ...estimate.suggestions].filter(Boolean).join(' ');
  return {
    score: estimate.score,
    label: LABELS[estimate.score],
    advice: acceptable || !specific ? DEFAULT_ADVICE[estimate.score] : specific,
    acceptable,
  };
}

/**
 * Starts fetching the estimator (the server's dictionaries: a large chunk) without waiting, so it
 * is usually there by the time someone has typed a password.
 */
export function preloadPasswordEstimator(): void {
  loadEstimator().catch(() => {});
}

/**
 * Scores a password (loading the estimator if needed). Null when the estimator cannot be loaded
 * in time: the server applies the same check anyway, so a slow connection never blocks sign-up.
 */
export async function assessPassword(password: string, userInputs: string[], { timeoutMs = 4000 } = {}): Promise<PasswordStrength | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    const estimate = await Promise.race([loadEstimator(), timeout]);
    return estimate ? describe(estimate(password, userInputs)) : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A live strength hint for a new password, from the same estimator the server applies.
 * The estimator's chunk is fetched the first time there is a password to score.
 */
export function usePasswordStrength(password: Ref<string>, userInputs: Ref<string[]> = ref([])) {
  const strength = ref<PasswordStrength | null>(null);
  let latestRequest = 0;

  watch(
    [password, userInputs],
    async ([value, inputs]) => {
      const request = ++latestRequest;
      const result = value ? await assessPassword(value, inputs) : null;
      if (request === latestRequest) strength.value = result;
    },
    { immediate: true },
  );

  return computed(() => strength.value);
}

export const WEAK_PASSWORD_MESSAGE = 'This password is too easy to guess: see the advice above.';

/**
 * The submit-time strength check of a new password: the message to show when it meets the length
 * rules but is too easy to guess, null otherwise (and when the estimator is unavailable: the server decides).
 */
export async function weakPasswordError(password: string, userInputs: string[]): Promise<string | null> {
  if (validateNewPassword(password)) return null;
  const assessment = await assessPassword(password, userInputs);
  return assessment && !assessment.acceptable ? WEAK_PASSWORD_MESSAGE : null;
}
