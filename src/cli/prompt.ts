import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { OperationCancelled } from './command-error.js';

/** Asks questions on a terminal. */
export interface Prompter {
  ask(question: string): Promise<string>;
  /** Asks without echoing what is typed (passwords). */
  askHidden(question: string): Promise<string>;
  close(): void;
}

/**
 * A prompter on the process's terminal. Hidden answers are read with echo muted, like Python's
 * getpass; Ctrl-C or the end of input rejects with `OperationCancelled`.
 */
export function terminalPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Prompter {
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const readline: Interface = createInterface({ input, output: echo, terminal: true });
  let pending: ((error: Error) => void) | undefined;
  const cancel = () => pending?.(new OperationCancelled());
  readline.on('SIGINT', cancel);
  readline.on('close', cancel);

  function question(text: string, hidden: boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      pending = reject;
      output.write(text);
      muted = hidden;
      readline.question('', (answer) => {
        pending = undefined;
        if (hidden) {
          muted = false;
          output.write('\n');
        }
        resolve(answer);
      });
    });
  }

  return {
    ask: (text) => question(text, false),
    askHidden: (text) => question(text, true),
    close: () => {
      pending = undefined;
      readline.close();
    },
  };
}
