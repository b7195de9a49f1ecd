import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FreshDatabases } from '../stores/fresh-database.js';

/** The three databases the admin page runs on. */
export type Kind = 'sqlite' | 'postgres' | 'mysql';

/**
 * A fresh, unmigrated database of `kind` for `tessera` processes: a SQLite file in a new folder,
 * or one from `FreshDatabases`; `drop` removes it.
 */
export async function freshDatabase(kind: Kind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-admin-nodes-'));
    return {
      url: `sqlite:${join(directory, 'tessera.sqlite3')}`,
      drop: async () => rmSync(directory, { recursive: true, force: true }),
    };
  }
  const databases = new FreshDatabases(kind);
  const { url } = await databases.create();
  return { url, drop: () => databases.dropAll() };
}
