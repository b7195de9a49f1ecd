import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sqliteFilename } from '../stores/open-store.js';
import { CommandError } from './command-error.js';

/**
 * Refuses a `sqlite:` DATABASE_URL whose file does not exist, naming it. SQLite would create an
 * empty file on open, and a command that only reads must leave no such file behind (a mistyped
 * path would otherwise look like a database with no tables).
 */
export function refuseMissingSqliteFile(databaseUrl: string): void {
  if (!/^sqlite:/i.test(databaseUrl)) return;
  const filename = sqliteFilename(databaseUrl);
  if (filename === ':memory:' || existsSync(filename)) return;
  throw new CommandError(
    `the SQLite database ${resolve(filename)} does not exist; run \`tessera migrate\` to create it (or check DATABASE_URL).`,
  );
}
