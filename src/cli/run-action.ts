import { SettingsError } from '../core/config/settings-from-env.js';
import { ServiceUnavailable, ValidationError } from '../core/errors.js';
import { CommandError, OperationCancelled } from './command-error.js';
import type { CliContext } from './context.js';
import { FAILURE_EXIT_CODE } from './exit-status.js';

/**
 * The one line a failure prints on stderr, with Django's one prefix, `CommandError: `, whatever
 * failed (a refusal, a setting, the database); a stack trace only with TESSERA_DEBUG=1.
 */
export function describeFailure(error: unknown): string {
  // Django prints a cancelled prompt as this line, without the prefix.
  if (error instanceof OperationCancelled) return '\nOperation cancelled.';
  return `CommandError: ${failureMessage(error)}`;
}

function failureMessage(error: unknown): string {
  if (error instanceof CommandError) return error.message;
  if (error instanceof ValidationError) return validationMessages(error).join('; ');
  if (error instanceof SettingsError) return error.message;
  if (error instanceof ServiceUnavailable) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `the database is unavailable${cause}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Every message of a validation error, field messages first in field order. */
export function validationMessages(error: ValidationError): string[] {
  const detail = error.detail;
  if (typeof detail === 'string') return [detail];
  if (Array.isArray(detail)) return [...detail];
  return Object.values(detail as Record<string, readonly string[]>).flat();
}

/**
 * Wraps a command's action: failures print one clear line and exit 1 (`FAILURE_EXIT_CODE`), and the store is closed
 * either way so nothing written is lost.
 */
export function runAction<Args extends unknown[]>(
  context: CliContext,
  action: (...args: Args) => Promise<void>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await action(...args);
    } catch (error) {
      context.printError(describeFailure(error));
      if (process.env.TESSERA_DEBUG === '1' && error instanceof Error) {
        context.printError(error.stack ?? '');
      }
      process.exitCode = FAILURE_EXIT_CODE;
    } finally {
      await context.close().catch(() => {});
    }
  };
}
