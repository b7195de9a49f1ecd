import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FreshDatabases } from '../stores/fresh-database.js';

/** The databases a Django app and tessera are tested on together. */
export type SharedKind = 'sqlite' | 'postgres' | 'mysql';

export const SHARED_KINDS: readonly SharedKind[] = ['sqlite', 'postgres', 'mysql'];

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

// Django's backend and the port it assumes, by server kind.
const SERVERS = {
  postgres: { engine: 'django.db.backends.postgresql', user: 'postgres', port: '5432' },
  mysql: { engine: 'django.db.backends.mysql', user: 'root', port: '3306' },
} as const;

/**
 * A new, empty database of `kind`: a temporary SQLite file, or a fresh PostgreSQL or
 * MySQL/MariaDB database (`tessera_test_<random>`, utf8mb4 with its case-insensitive default
 * collation, as a MySQL database Django runs on usually is).
 */
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
  const server = SERVERS[kind];
  const databases = new FreshDatabases(kind);
  // tessera's URL is the server's own (`mysql://root@127.0.0.1:3306/<name>` by default).
  const { name, url } = await databases.create();
  const parsed = new URL(url);
  return {
    kind,
    url,
    django: {
      ENGINE: server.engine,
      NAME: name,
      USER: decodeURIComponent(parsed.username) || server.user,
      PASSWORD: decodeURIComponent(parsed.password),
      HOST: parsed.hostname,
      PORT: parsed.port || server.port,
    },
    drop: () => databases.dropAll(),
  };
}
