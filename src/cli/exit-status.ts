import { CommanderError } from 'commander';

/** Exit status of a usage error (unknown command or option, missing argument), as argparse's. */
export const USAGE_EXIT_CODE = 2;

/** Exit status of a command that failed or was refused (Django's `CommandError`). */
export const FAILURE_EXIT_CODE = 1;

// Commander reports help and --version as "exits" too, with status 0.
const NOT_ERRORS = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

/**
 * The exit status for what command-line parsing threw: 0 after help or the version, 2 for a
 * usage error (commander has already printed its one line), `undefined` for anything else.
 */
export function parsingExitStatus(error: unknown): number | undefined {
  if (!(error instanceof CommanderError)) return undefined;
  if (NOT_ERRORS.has(error.code) && error.exitCode === 0) return 0;
  return USAGE_EXIT_CODE;
}
