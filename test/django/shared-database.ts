import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FreshDatabases } from '../stores/fresh-database.js';

/** The databases a Django app and tessera are tested on together. */
export type SharedKind = 'sqlite' | 'postgres';

export const SHARED_KINDS: readonly SharedKind[] = ['sqlite', 'postgres'];

/** One empty database, as tessera's `DATABASE_URL` and as Django's `DATABASES['default']`. */
export interface SharedDatabase {
  readonly kind: SharedKind;
  /** tessera's `DATABASE_URL`. */
  readonly url: string;
  /** Django's `DATABASES['default']`. */
  readonly django: Readonly<Record<string, string>>;
  /** The SQLite file (SQLite only). */
  readonly filename?: string;
  drop(): Promise<void>;
}

/** A new, empty database of `kind`: a temporary SQLite file, or a fresh PostgreSQL database. */
export async function sharedDatabase(kind: SharedKind): Promise<SharedDatabase> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-django-db-'));
    const filename = join(directory, 'db.sqlite3');
    return {
      kind,
      url: `sqlite:${filename}`,
      django: { ENGINE: 'django.db.backends.sqlite3', NAME: filename },
      filename,
      async drop() {
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const databases = new FreshDatabases('postgres');
  const { name, url } = await databases.create();
  const parsed = new URL(url);
  return {
    kind,
    url,
    django: {
      ENGINE: 'django.db.backends.postgresql',
      NAME: name,
      USER: decodeURIComponent(parsed.username) || 'postgres',
      PASSWORD: decodeURIComponent(parsed.password),
      HOST: parsed.hostname,
      PORT: parsed.port || '5432',
    },
    drop: () => databases.dropAll(),
  };
}
