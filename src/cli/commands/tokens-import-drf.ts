import type { Command } from 'commander';
import { escapeControlCharacters } from '../../core/control-characters.js';
import { DuplicateError } from '../../core/store.js';
import {
  type DrfTokenImportReport,
  DrfTokenTableMissing,
} from '../../core/tokens/drf-token-import.js';
import { CommandError } from '../command-error.js';
import type { CliContext } from '../context.js';
import { runAction } from '../run-action.js';

interface ImportOptions {
  deletePlaintext: boolean;
  dryRun: boolean;
}

/**
 * `tessera tokens import-drf`: DRF's `authtoken_token` rows become `default` tokens, so clients
 * keep their keys when the API moves to tessera. Prints counts and user ids, never a key.
 */
export function registerTokensImportDrf(tokens: Command, context: CliContext): void {
  tokens
    .command('import-drf')
    .description(
      "Copy DRF's authtoken_token (same database) into tessera as default tokens (digest only, " +
        "scope *, DRF's created time), every user's, inactive ones included, in one transaction. " +
        'Idempotent: a later run imports only new rows, replaces copies whose DRF key changed ' +
        'and removes copies whose DRF row is gone. A user who already has a tessera default ' +
        'token keeps it and is reported as skipped. Prints counts, never a key.',
    )
    .option(
      '--delete-plaintext',
      'also delete the imported rows from authtoken_token, in the same transaction (their ' +
        'copies are then kept by later runs); Django no longer accepts those keys',
      false,
    )
    .option('--dry-run', 'do it all, print what it did, and roll it back', false)
    .action(
      runAction(context, async (options: ImportOptions) => {
        const store = await context.migratedStore();
        if (!store.importDrfTokens) {
          throw new CommandError('this database cannot import DRF tokens');
        }
        const report = await store
          .importDrfTokens({ deletePlaintext: options.deletePlaintext, dryRun: options.dryRun })
          .catch((error: unknown) => {
            if (error instanceof DrfTokenTableMissing) throw new CommandError(error.message);
            // A default token made meanwhile (another import, drf_create_token) took a user or a
            // key this run was inserting: the transaction rolled back as a whole.
            if (error instanceof DuplicateError) {
              throw new CommandError(
                'a token was created for one of these users while importing; nothing was ' +
                  'changed: run it again',
              );
            }
            throw error;
          });
        for (const line of reportLines(report, options.dryRun)) context.print(line);
      }),
    );
}

/** The summary line, then one line per detail worth a look (user ids and names, no key). */
export function reportLines(report: DrfTokenImportReport, dryRun: boolean): string[] {
  const lines = [
    dryRun
      ? `Dry run, nothing changed: would import ${report.imported} DRF token(s), skip ` +
        `${report.skipped}, remove ${report.removed}.`
      : `Imported ${report.imported} DRF token(s), skipped ${report.skipped}, removed ` +
        `${report.removed}.`,
  ];
  if (report.replaced > 0) {
    lines.push(`  ${report.replaced} of the imported replaced a copy whose DRF key changed`);
  }
  if (report.alreadyImported > 0) {
    lines.push(`  ${report.alreadyImported} of the skipped were already imported`);
  }
  for (const held of report.heldBack) {
    const name = escapeControlCharacters(held.username);
    lines.push(`  skipped user ${held.userId} (${name}): ${held.reason}`);
  }
  if (report.plaintextDeleted > 0) {
    const verb = dryRun ? 'would delete' : 'deleted';
    lines.push(`  ${verb} ${report.plaintextDeleted} row(s) from authtoken_token`);
  }
  return lines;
}
