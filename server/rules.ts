// The input rules shared by the server and the web app: one definition, imported by both sides
// (server/auth/*, server/graphql/schema/taskInputs.ts, client/src/lib/*). Pure TypeScript with
// no Node imports, so Vite bundles it into the web app as it is.

/** Better Auth's own length check counts UTF-16 code units of the raw password. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** zxcvbn scores 0-4; below 2 means guessable within about 10^6 guesses (common passwords and their variants). */
export const PASSWORD_MIN_SCORE = 2;
/**
 * zxcvbn's work grows steeply with length (its l33t and sequence matchers), so only this many
 * characters of the normalised password are scored: any 32-character prefix that already scores
 * well is a strong password, and the estimate stays a few milliseconds even for adversarial
 * input (bench/passwordPolicy.ts measures the worst case).
 */
export const PASSWORD_SCORED_PREFIX_LENGTH = 32;
/** The zxcvbn-ts options both sides use; `maxLength` is zxcvbn's own prefix cut, set to ours. */
export const ZXCVBN_OPTIONS = {
  maxLength: PASSWORD_SCORED_PREFIX_LENGTH,
  /** How many l33t substitutions (4→a, $→s…) zxcvbn tries per word: enough for "p@$$w0rd", bounded cost. */
  l33tMaxSubstitutions: 4,
} as const;

/**
 * What is scored: the password as Better Auth stores it (its scrypt hashes `password.normalize('NFKC')`,
 * so full-width 'ｐａｓｓｗｏｒｄ' opens the account of 'password'), cut to the scored prefix.
 */
export function passwordForScoring(password: string): string {
  return password.normalize('NFKC').slice(0, PASSWORD_SCORED_PREFIX_LENGTH);
}

/** A display name: trimmed, 1-100 characters (it also travels in every JWT, so it must stay small). */
export const NAME_MAX_LENGTH = 100;
/** RFC 5321's limit for a forward path, the longest address mail can be delivered to. */
export const EMAIL_MAX_LENGTH = 254;

export const TASK_TITLE_MAX_LENGTH = 500;
export const TASK_DESCRIPTION_MAX_LENGTH = 5000;
export const SEARCH_MAX_LENGTH = 200;

/**
 * Control characters (newlines, ESC) and bidirectional overrides: a name is printed in terminals
 * (the admin CLI), mail and other people's screens, where these rewrite or reorder what is shown.
 * Emoji joiners and other format characters stay allowed.
 */
export const UNPRINTABLE_IN_NAME = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/**
 * Text both databases store as given: PostgreSQL's text cannot hold U+0000 (the write fails), and
 * a UTF-16 surrogate without its pair is stored as U+FFFD, differently on each database.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
export const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Longest id a client may send: task ids are 24 characters, Better Auth's user ids 32. */
export const ID_MAX_LENGTH = 128;

/** Whether a client-sent id could name a stored row; anything else is refused before a query. */
export function isPossibleId(id: string): boolean {
  return id.length > 0 && id.length <= ID_MAX_LENGTH && !UNSTORABLE_TEXT.test(id);
}

/** Why a name is refused, or null. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'Name must be a string.';
  const trimmed = name.trim();
  if (!trimmed) return 'Name must not be empty.';
  if (trimmed.length > NAME_MAX_LENGTH) return `Name must be at most ${NAME_MAX_LENGTH} characters.`;
  if (UNPRINTABLE_IN_NAME.test(trimmed)) return 'Name must not contain control characters.';
  if (UNSTORABLE_TEXT.test(trimmed)) return 'Name must be valid Unicode text.';
  return null;
}
