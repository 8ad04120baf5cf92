// npm run bench:password: how long the password policy holds the event loop, worst case.
// The policy runs synchronously on the server's main thread (server/auth/passwordPolicy.ts), so
// its slowest call is the longest a sign-up or change-password request can block other requests.
// Inputs are adversarial for zxcvbn (l33t characters, repeated dictionary words with dates,
// the 128-character printable run from issue 10), each at the maximum length.
import { cpus, loadavg } from 'node:os';
import { passwordProblem } from '../server/auth/passwordPolicy.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_SCORED_PREFIX_LENGTH, ZXCVBN_OPTIONS } from '../server/rules.js';

const ROUNDS = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice(9) ?? 20);
const atMaxLength = (unit: string) => unit.repeat(Math.ceil(PASSWORD_MAX_LENGTH / unit.length)).slice(0, PASSWORD_MAX_LENGTH);

const WORST_CASE_INPUTS: Record<string, string> = {
  'printable run (issue 10)': Array.from({ length: PASSWORD_MAX_LENGTH }, (_, i) => String.fromCharCode(33 + (i % 90))).join(''),
  'Passw0rd1970 repeated': atMaxLength('Passw0rd1970'),
  'l33t characters': atMaxLength('4@8({[<6|)3#9&-1!7^2/\\0_$5+>%'),
  'l33t digits and signs': atMaxLength('1!|lio0@4$5'),
  'p@$$w0rd repeated': atMaxLength('p@$$w0rd'),
  'full-width (NFKC)': atMaxLength('ｐａｓｓｗｏｒｄ１９７０'),
  'one character': 'a'.repeat(PASSWORD_MAX_LENGTH),
};

passwordProblem('warm up the dictionaries 1970');
const rows: { input: string; medianMs: number; maxMs: number }[] = [];
for (const [input, password] of Object.entries(WORST_CASE_INPUTS)) {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    passwordProblem(password, ['someone@example.com', 'Some One']);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  rows.push({ input, medianMs: times[Math.floor(times.length / 2)]!, maxMs: times.at(-1)! });
}

console.log(`Password policy, worst-case inputs of ${PASSWORD_MAX_LENGTH} characters, ${ROUNDS} rounds each`);
console.log(`zxcvbn-ts scores the first ${PASSWORD_SCORED_PREFIX_LENGTH} characters (after NFKC), l33tMaxSubstitutions ${ZXCVBN_OPTIONS.l33tMaxSubstitutions}`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}\n`);
console.log('input                        median ms   max ms');
for (const row of rows) console.log(`${row.input.padEnd(28)} ${row.medianMs.toFixed(1).padStart(9)} ${row.maxMs.toFixed(1).padStart(8)}`);
const worst = Math.max(...rows.map((row) => row.maxMs));
const worstMedian = Math.max(...rows.map((row) => row.medianMs));
console.log(`\nworst median ${worstMedian.toFixed(1)} ms, worst single call ${worst.toFixed(1)} ms (target: < 20 ms on an idle core)`);
