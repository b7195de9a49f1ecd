import type { CliContext } from './context.js';
import { terminalPrompter } from './prompt.js';

/** Django's own words, from `manage.py flush`. */
export const CONFIRMATION_QUESTION = "Type 'yes' to continue, or 'no' to cancel: ";

/**
 * Asks before an irreversible change, as Django's `flush` does: `warning`, then Django's question;
 * only the answer `yes` goes on, and anything else prints `cancelled`. Nothing is asked with
 * `--noinput` (`interactive` false) or when standard input is not a terminal: scripts and pipes
 * run without a question, as they did before tessera asked one. (Django's `flush` asks whatever
 * stdin is and fails at the end of a pipe; tessera follows `createsuperuser`, which checks for a
 * terminal first.) Ctrl-C or the end of input rejects with `OperationCancelled`.
 */
export async function confirmed(
  context: CliContext,
  options: { interactive: boolean; warning: string; cancelled: string },
): Promise<boolean> {
  if (!options.interactive || !process.stdin.isTTY) return true;
  const prompter = terminalPrompter(process.stdin, context.stdout);
  try {
    const answer = await prompter.ask(`${options.warning}\n\n${CONFIRMATION_QUESTION}`);
    if (answer === 'yes') return true;
  } finally {
    prompter.close();
  }
  context.print(options.cancelled);
  return false;
}
