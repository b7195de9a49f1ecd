import { passwordHasherFromSettings } from '../core/config/password-hasher-from-settings.js';
import { settingsOwnedBy, type TesseraSettings } from '../core/config/settings.js';
import { settingsFromEnv } from '../core/config/settings-from-env.js';
import type { InvalidationNotPublished } from '../core/invalidation.js';
import type { PasswordHasher } from '../core/passwords/index.js';
import type { Store } from '../core/store.js';
import { type Clock, systemClock } from '../core/time/clock.js';
import { openStore } from '../stores/open-store.js';
import { MigrationsPending } from '../stores/sql/migrations-pending.js';
import { CommandError } from './command-error.js';
import { refuseMissingSqliteFile } from './missing-database.js';

/**
 * The exit status of a command whose change is saved but whose invalidation did not reach the
 * other nodes (Redis down or too slow): their caches serve the affected keys until the TTL.
 */
export const NOT_PUBLISHED_EXIT_CODE = 3;

/** What every command works with; the store opens on first use and closes at exit. */
export class CliContext {
  readonly clock: Clock = systemClock;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  private cachedSettings: TesseraSettings | undefined;
  private cachedStore: Store | undefined;
  private cachedPasswords: PasswordHasher | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    streams: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {},
  ) {
    this.stdout = streams.stdout ?? process.stdout;
    this.stderr = streams.stderr ?? process.stderr;
  }

  get settings(): TesseraSettings {
    this.cachedSettings ??= settingsFromEnv(this.env);
    return this.cachedSettings;
  }

  get passwords(): PasswordHasher {
    this.cachedPasswords ??= passwordHasherFromSettings(this.settings);
    return this.cachedPasswords;
  }

  /**
   * The database, opened without migrating it. `readOnly` is for commands that only read: a
   * missing SQLite file is a `CommandError` rather than created empty.
   */
  async openStore(access: { readOnly?: boolean } = {}): Promise<Store> {
    if (access.readOnly) refuseMissingSqliteFile(this.settings.databaseUrl);
    this.cachedStore ??= await openStore(
      this.settings.databaseUrl,
      settingsOwnedBy('store', this.settings),
      {
        onInvalidationNotPublished: (failure) => this.#notPublished(failure),
      },
    );
    return this.cachedStore;
  }

  /** The database, refusing to go on when migrations are pending (as a new user would hit). */
  async migratedStore(access: { readOnly?: boolean } = {}): Promise<Store> {
    const store = await this.openStore(access);
    const pending = await store.pendingMigrations();
    if (pending.length > 0) {
      throw new CommandError(
        new MigrationsPending(pending, 'Run `tessera migrate` first.').message,
      );
    }
    return store;
  }

  /** Hands the open store to a longer-lived owner (the server), which will close it. */
  releaseStore(): void {
    this.cachedStore = undefined;
  }

  print(line: string): void {
    this.stdout.write(`${line}\n`);
  }

  printError(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /** Closes the store, which first waits for the invalidations it still has to publish. */
  async close(): Promise<void> {
    await this.cachedStore?.close();
    this.cachedStore = undefined;
  }

  // The operator must hear that a revocation is not yet in force everywhere, and a script must
  // be able to tell (the exit status), though the change itself is saved and not to be retried.
  #notPublished(failure: InvalidationNotPublished): void {
    this.printError(`Warning: ${failure.message}`);
    if (!process.exitCode) process.exitCode = NOT_PUBLISHED_EXIT_CODE;
  }
}
