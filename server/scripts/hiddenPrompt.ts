/**
 * Reading a secret typed at a terminal without showing it (as passwd or sudo do): the terminal
 * in raw mode, so nothing typed is echoed, with the line editing raw mode turns off done here.
 */

/** Thrown when the operator presses Ctrl-C, or Ctrl-D on an empty line, at a hidden prompt. */
export class PromptCancelled extends Error {}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);
const ESCAPE = '\u001b';

/**
 * Applies what was typed to the line being edited. Arrow keys, bracketed-paste markers and other
 * escape sequences (ESC [ … final byte, ESC O x) are dropped, never taken as part of the secret.
 */
class HiddenLineEditor {
  private readonly characters: string[] = [];
  private escapeState: 'none' | 'started' | 'sequence' = 'none';

  /** Returns 'done' or 'cancelled' when that character ends the line, otherwise undefined. */
  type(character: string): 'done' | 'cancelled' | undefined {
    if (this.escapeState === 'started') {
      this.escapeState = character === '[' || character === 'O' ? 'sequence' : 'none';
      return undefined;
    }
    if (this.escapeState === 'sequence') {
      const code = character.codePointAt(0)!;
      if (code >= 0x40 && code <= 0x7e) this.escapeState = 'none';
      return undefined;
    }
    if (ENTER.has(character)) return 'done';
    if (character === CTRL_C) return 'cancelled';
    if (character === CTRL_D) return this.characters.length === 0 ? 'cancelled' : undefined;
    if (character === ESCAPE) this.escapeState = 'started';
    else if (BACKSPACE.has(character)) this.characters.pop();
    else if (character === CTRL_U) this.characters.length = 0;
    else if (character >= ' ') this.characters.push(character);
    return undefined;
  }

  get line(): string {
    return this.characters.join('');
  }
}

export interface Terminal {
  input: NodeJS.ReadStream;
  output: NodeJS.WritableStream;
}

/**
 * Shows `prompt`, reads one line from the terminal without echoing it and restores the terminal.
 * What is typed after Enter (typed ahead of the next prompt) stays in the input for the next read.
 * Rejects with PromptCancelled on Ctrl-C or on Ctrl-D at an empty line.
 */
export function readHiddenLine(prompt: string, { input, output }: Terminal = { input: process.stdin, output: process.stderr }): Promise<string> {
  const editor = new HiddenLineEditor();
  // Echo off before the prompt shows: what is typed as soon as it appears must not be echoed.
  input.setRawMode(true);
  input.setEncoding('utf8');
  output.write(prompt);
  return new Promise((resolve, reject) => {
    const finish = (settle: () => void, typedAhead: string) => {
      input.off('data', onData);
      input.pause();
      input.setRawMode(false);
      if (typedAhead) input.unshift(typedAhead, 'utf8');
      output.write('\n');
      settle();
    };
    const onData = (chunk: string) => {
      const characters = [...chunk];
      for (const [index, character] of characters.entries()) {
        const outcome = editor.type(character);
        if (!outcome) continue;
        // A paste may end its line with CRLF: the LF is not an empty line typed ahead.
        const rest = characters.slice(index + 1);
        const typedAhead = (character === '\r' && rest[0] === '\n' ? rest.slice(1) : rest).join('');
        if (outcome === 'done') finish(() => resolve(editor.line), typedAhead);
        else finish(() => reject(new PromptCancelled('cancelled at the prompt')), '');
        return;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
