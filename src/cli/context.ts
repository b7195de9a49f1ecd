import { type Clock, systemClock } from '../core/clock.js';
import { PasswordHasher } from '../core/passwords/index.js';
import type { TesseraSettings } from '../core/settings.js';
import { settingsFromEnv } from '../core/settings-from-env.js';
import type { Store } from '../core/store.js';
import { openStore } from '../stores/open-store.js';
import { CommandError } from './command-error.js';

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
    this.cachedPasswords ??= new PasswordHasher({
      iterations: this.settings.passwordIterations,
      concurrency: this.settings.passwordConcurrency,
    });
    return this.cachedPasswords;
  }

  /** The database, opened without migrating it. */
  async openStore(): Promise<Store> {
    this.cachedStore ??= await openStore(this.settings.databaseUrl, this.settings);
    return this.cachedStore;
  }

  /** The database, refusing to go on when migrations are pending (as a new user would hit). */
  async migratedStore(): Promise<Store> {
    const store = await this.openStore();
    const pending = await store.pendingMigrations();
    if (pending.length > 0) {
      throw new CommandError(
        `The database has ${pending.length} unapplied migration(s): ${pending.join(', ')}. Run \`tessera migrate\` first.`,
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

  async close(): Promise<void> {
    await this.cachedStore?.close();
    this.cachedStore = undefined;
  }
}
