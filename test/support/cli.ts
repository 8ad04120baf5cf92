import { spawn } from 'node:child_process';
import { repoRoot } from './server.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of server/scripts/*.ts as `npm run <name>` runs it (tsx), with `input` on stdin. */
export function runCli(script: string, args: string[], { env = {}, input = '' }: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of Object.keys(childEnv)) if (key === 'TEST' || key.startsWith('VITEST')) delete childEnv[key];
  const child = spawn(process.execPath, ['--import', 'tsx', `server/scripts/${script}.ts`, ...args], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
