// better-auth's API-key plugin as a peer to compare with, installed into a scratch folder
// (bench/.peers, gitignored) rather than the project's dependencies, and loaded from there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

/**
 * The versions installed. `@better-auth/api-key` 1.7.5 (its newest release) pins
 * `@better-auth/utils` 0.4.2 and `better-call` 1.4.0 as peers, which better-auth 1.7.5 uses too;
 * later better-auth releases moved to utils 0.5 and no longer resolve with it. None of these
 * packages declares `engines`; this set runs on Node 20.
 */
export const BETTER_AUTH_PACKAGES = [
  'better-auth@1.7.5',
  '@better-auth/api-key@1.7.5',
  '@better-auth/core@1.7.5',
  '@better-auth/utils@0.4.2',
  'better-call@1.4.0',
] as const;

/** Where the peers are installed: `bench/.peers` beside the benchmark's sources. */
export function peersDirectory(benchDirectory: string): string {
  return join(benchDirectory, '.peers');
}

function installedVersion(peersDir: string, name: string): string | undefined {
  const file = join(peersDir, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Installs better-auth and its API-key plugin into `peersDir` with npm, unless already there.
 * better-sqlite3 is not installed there: the server hands better-auth a database opened with the
 * project's own better-sqlite3, so nothing is rebuilt.
 */
export function installBetterAuth(peersDir: string): string {
  const wanted = BETTER_AUTH_PACKAGES.map((spec) => {
    const at = spec.lastIndexOf('@');
    return { name: spec.slice(0, at), version: spec.slice(at + 1) };
  });
  if (wanted.every(({ name, version }) => installedVersion(peersDir, name) === version)) {
    return BETTER_AUTH_PACKAGES.join(' ');
  }
  mkdirSync(peersDir, { recursive: true });
  writeFileSync(
    join(peersDir, 'package.json'),
    `${JSON.stringify({ name: 'tessera-bench-peers', private: true, type: 'module' }, null, 2)}\n`,
  );
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--omit=peer',
      '--no-save',
      ...BETTER_AUTH_PACKAGES,
    ],
    { cwd: peersDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return BETTER_AUTH_PACKAGES.join(' ');
}

/** The file an `exports` entry points at for `import` on Node. */
function exportTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const conditions = entry as Record<string, unknown>;
  for (const condition of ['node', 'import', 'default']) {
    const target = exportTarget(conditions[condition]);
    if (target) return target;
  }
  return undefined;
}

/** Imports `name` + `subpath` as installed in `peersDir` (Node 20 cannot resolve from elsewhere). */
async function importPeer(peersDir: string, name: string, subpath = '.'): Promise<unknown> {
  const packageDir = join(peersDir, 'node_modules', name);
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  const target = exportTarget(manifest.exports?.[subpath]);
  if (!target) throw new Error(`${name}: no export ${subpath}`);
  return import(pathToFileURL(join(packageDir, target)).href);
}

/** The part of a better-auth instance the benchmark uses. */
interface BetterAuth {
  readonly api: {
    createApiKey(input: { body: { userId: string } }): Promise<{ key: string }>;
    verifyApiKey(input: { body: { key: string } }): Promise<{ valid: boolean }>;
  };
  readonly $context: Promise<{
    internalAdapter: {
      createUser(user: { email: string; name: string; emailVerified: boolean }): Promise<{
        id: string;
      }>;
    };
  }>;
}

/** A key check backed by better-auth's API-key plugin on SQLite. */
export interface BetterAuthKeyCheck {
  /** A valid API key of the one user. */
  readonly key: string;
  /** True when better-auth verifies `key`. */
  verify(key: string): Promise<boolean>;
  close(): void;
}

/**
 * Sets up better-auth with its API-key plugin on a SQLite file (WAL, as tessera's store), makes
 * one user and one key. The plugin's per-key rate limit is off, as tessera counts no valid use.
 */
export async function betterAuthKeyCheck(
  peersDir: string,
  filename: string,
): Promise<BetterAuthKeyCheck> {
  const { betterAuth } = (await importPeer(peersDir, 'better-auth')) as {
    betterAuth(options: object): BetterAuth;
  };
  const { apiKey } = (await importPeer(peersDir, '@better-auth/api-key')) as {
    apiKey(options: object): object;
  };
  const { getMigrations } = (await importPeer(peersDir, 'better-auth', './db/migration')) as {
    getMigrations(options: object): Promise<{ runMigrations(): Promise<void> }>;
  };
  const database = new Database(filename);
  database.pragma('journal_mode = WAL');
  const options = {
    database,
    secret: 'tessera-bench-secret-not-used-for-anything-else',
    baseURL: 'http://127.0.0.1',
    telemetry: { enabled: false },
    logger: { disabled: true },
    plugins: [apiKey({ rateLimit: { enabled: false } })],
  };
  const auth = betterAuth(options);
  await (await getMigrations(options)).runMigrations();
  const context = await auth.$context;
  const user = await context.internalAdapter.createUser({
    email: 'alice@example.com',
    name: 'alice',
    emailVerified: true,
  });
  const { key } = await auth.api.createApiKey({ body: { userId: user.id } });
  return {
    key,
    verify: async (candidate) => {
      try {
        return (await auth.api.verifyApiKey({ body: { key: candidate } })).valid;
      } catch {
        return false;
      }
    },
    close: () => database.close(),
  };
}
