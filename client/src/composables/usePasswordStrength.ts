import { computed, ref, watch, type Ref } from 'vue';
import type { StrengthScore } from '../lib/passwordStrength';

export interface PasswordStrength {
  score: StrengthScore;
  label: string;
  advice: string;
}

const DESCRIPTIONS: Record<StrengthScore, { label: string; advice: string }> = {
  0: { label: 'Very weak', advice: 'Easy to guess. Try a few unrelated words together.' },
  1: { label: 'Weak', advice: 'Still easy to guess. Add another word or two.' },
  2: { label: 'Fair', advice: 'A little longer would make it much stronger.' },
  3: { label: 'Good', advice: 'Hard to guess.' },
  4: { label: 'Strong', advice: 'Very hard to guess.' },
};

type Scorer = typeof import('../lib/passwordStrength').scorePassword;
let scorerLoad: Promise<Scorer> | undefined;

function loadScorer(): Promise<Scorer> {
  scorerLoad ??= import('../lib/passwordStrength').then((module) => module.scorePassword);
  return scorerLoad;
}

/**
 * A live strength hint for a new password. Advice only: the rules users must meet are the
 * length checks the server enforces. The estimator is fetched the first time there is a password.
 */
export function usePasswordStrength(password: Ref<string>, userInputs: Ref<string[]> = ref([])) {
  const score = ref<StrengthScore | null>(null);
  let latestRequest = 0;

  watch(
    [password, userInputs],
    async ([value, inputs]) => {
      const request = ++latestRequest;
      if (!value) {
        score.value = null;
        return;
      }
      try {
        const scorePassword = await loadScorer();
        if (request === latestRequest) score.value = scorePassword(value, inputs);
      } catch {
        scorerLoad = undefined; // offline: try again on the next keystroke
      }
    },
    { immediate: true },
  );

  return computed<PasswordStrength | null>(() =>
    score.value === null ? null : { score: score.value, ...DESCRIPTIONS[score.value] },
  );
}
