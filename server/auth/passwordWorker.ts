// The password policy's thread: zxcvbn runs here so no password can stall the server's event loop.
import { parentPort } from 'node:worker_threads';
import { passwordProblem } from './passwordPolicy.js';

export interface PasswordCheckRequest {
  id: number;
  password: string;
  userInputs: string[];
}

export interface PasswordCheckAnswer {
  id: number;
  problem: string | null;
}

// Build the estimator's dictionaries now, then tell the parent the worker is ready.
passwordProblem('warm up the estimator');
parentPort!.postMessage('ready');

parentPort!.on('message', ({ id, password, userInputs }: PasswordCheckRequest) => {
  parentPort!.postMessage({ id, problem: passwordProblem(password, userInputs) } satisfies PasswordCheckAnswer);
});
