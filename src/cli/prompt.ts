import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { OperationCancelled } from './command-error.js';

/** Asks questions on a terminal, or reads answers line by line from a pipe. */
export interface Prompter {
  ask(question: string): Promise<string>;
  /** Asks without echoing what is typed (passwords). */
  askHidden(question: string): Promise<string>;
  close(): void;
}

/**
 * A prompter on the process's standard input. On a terminal hidden answers are read with echo
 * muted, like Python's getpass; from a pipe each answer is the next line. Ctrl-C, or the end of
 * input with no line left, rejects with `OperationCancelled`.
 */
export function terminalPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Prompter {
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const readline = createInterface({ input, output: echo, terminal: Boolean(input.isTTY) });
  // Piped input may arrive all at once: lines wait here until a question takes them.
  const lines: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  let ended = false;
  readline.on('line', (line) => {
    if (waiting) {
      const { resolve } = waiting;
      waiting = undefined;
      resolve(line);
    } else {
      lines.push(line);
    }
  });
  const cancel = () => {
    ended = true;
    waiting?.reject(new OperationCancelled());
    waiting = undefined;
  };
  readline.on('SIGINT', cancel);
  readline.on('close', cancel);

  function nextLine(): Promise<string> {
    const line = lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (ended) return Promise.reject(new OperationCancelled());
    return new Promise((resolve, reject) => {
      waiting = { resolve, reject };
    });
  }

  async function question(text: string, hidden: boolean): Promise<string> {
    output.write(text);
    muted = hidden;
    try {
      return await nextLine();
    } finally {
      if (hidden) {
        muted = false;
        output.write('\n');
      }
    }
  }

  return {
    ask: (text) => question(text, false),
    askHidden: (text) => question(text, true),
    close: () => {
      readline.removeListener('close', cancel);
      readline.close();
    },
  };
}
