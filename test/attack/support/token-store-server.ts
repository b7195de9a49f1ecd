import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  DEFAULT_SETTINGS,
  settingsOwnedBy,
  type TesseraSettings,
} from '../../../src/core/config/settings.js';
import { PasswordHasher } from '../../../src/core/passwords/index.js';
import type { Store } from '../../../src/core/store.js';
import { issueDefaultToken } from '../../../src/core/tokens/token-issuer.js';
import { createUser } from '../../../src/core/users/users.js';
import { buildServer } from '../../../src/server/app.js';
import { openStore } from '../../../src/stores/open-store.js';
import { FreshDatabases } from '../../stores/fresh-database.js';
import { type LoopbackResponse, requestFrom } from './loopback-client.js';

const MAIN = resolve(import.meta.dirname, '../../../src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

/** What one `tessera` process printed, and how it exited. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tessera <args>` as a separate process on `databaseUrl`, as an operator would. */
export function runTessera(
  databaseUrl: string,
  args: readonly string[],
  env: Record<string, string> = {},
  input = '',
): CliRun {
  const result = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      TESSERA_PASSWORD_ITERATIONS: '1000',
      ...env,
    },
    input,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The databases the token attack tests run on. */
export type StoreKind = 'sqlite' | 'postgres' | 'mysql';

/** Every store kind, for `for (const kind of STORE_KINDS) describe(…)`. */
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres', 'mysql'];

/** Redis for the tests that run with it (invalidations between processes). */
export const TEST_REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

const freshDatabases = {
  postgres: new FreshDatabases('postgres'),
  mysql: new FreshDatabases('mysql'),
};

/** Drops every database the servers made (call in the file's `after`). */
export async function dropTestDatabases(): Promise<void> {
  await Promise.all([freshDatabases.postgres.dropAll(), freshDatabases.mysql.dropAll()]);
}

/**
 * The reference server on a fresh database of one kind, listening on a real socket, with one user
 * (`alice`, password `alice-password`) who holds a `*` default token.
 */
export class TokenStoreServer {
  readonly passwords = new PasswordHasher({ iterations: 1000 });
  store!: Store;
  app!: FastifyInstance;
  url = '';
  databaseUrl = '';
  userId = 0;
  /** The `*` default token's key. */
  adminKey = '';
  #dir: string | undefined;
  #log = '';

  private constructor(readonly kind: StoreKind) {}

  static async start(
    kind: StoreKind,
    settings: Partial<TesseraSettings> = {},
  ): Promise<TokenStoreServer> {
    const server = new TokenStoreServer(kind);
    await server.#start(settings);
    return server;
  }

  async #start(extra: Partial<TesseraSettings>): Promise<void> {
    if (this.kind === 'sqlite') {
      this.#dir = mkdtempSync(join(tmpdir(), 'tessera-attack-'));
      this.databaseUrl = `sqlite:${join(this.#dir, 'db.sqlite3')}`;
    } else {
      this.databaseUrl = (await freshDatabases[this.kind].create()).url;
    }
    const settings: TesseraSettings = {
      ...DEFAULT_SETTINGS,
      passwordIterations: 1000,
      databaseUrl: this.databaseUrl,
      // Many clients from few addresses: the limits are not what these tests are about.
      keyFailuresPerIp: null,
      ...extra,
    };
    this.store = await openStore(this.databaseUrl, settingsOwnedBy('store', settings));
    await this.store.migrate();
    const user = await createUser(
      this.store,
      this.passwords,
      { now: () => Date.now() },
      {
        username: 'alice',
        password: 'alice-password',
      },
    );
    this.userId = user.id;
    this.adminKey = (await issueDefaultToken(this.store, user.id, { now: () => Date.now() })).key;
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      this.#log += chunk.toString('utf8');
    });
    this.app = await buildServer({
      store: this.store,
      settings,
      passwords: this.passwords,
      logStream: stream,
    });
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.url = `http://127.0.0.1:${(this.app.server.address() as AddressInfo).port}`;
  }

  /** Everything the server logged. */
  get log(): string {
    return this.#log;
  }

  /** Sends a JSON request (or none) with `Token <key>`, from the `from` loopback address. */
  async call(
    method: string,
    path: string,
    key?: string,
    json?: unknown,
    from = '127.0.0.1',
  ): Promise<LoopbackResponse & { json: unknown }> {
    const response = await requestFrom(from, {
      url: `${this.url}${path}`,
      method,
      headers: {
        ...(key === undefined ? {} : { Authorization: `Token ${key}` }),
        ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(json === undefined
        ? {}
        : { body: typeof json === 'string' ? json : JSON.stringify(json) }),
    });
    let parsed: unknown;
    try {
      parsed = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    return { ...response, json: parsed };
  }

  /** Runs statements in order; on MySQL on one connection, so session settings hold. */
  async sqlAll(statements: readonly string[]): Promise<void> {
    if (this.kind !== 'mysql') {
      for (const statement of statements) await this.sql(statement);
      return;
    }
    const connection = await mysql.createConnection({
      uri: this.databaseUrl,
      multipleStatements: true,
    });
    try {
      await connection.query(statements.join(';\n'));
    } finally {
      await connection.end();
    }
  }

  /** Runs one statement on the database directly, as a DBA or a Django app would. */
  async sql(statement: string, values: readonly unknown[] = []): Promise<void> {
    if (this.kind === 'sqlite') {
      const db = new Database(this.databaseUrl.slice('sqlite:'.length));
      try {
        db.prepare(statement).run(...values);
      } finally {
        db.close();
      }
    } else if (this.kind === 'postgres') {
      const client = new pg.Client({ connectionString: this.databaseUrl });
      await client.connect();
      try {
        let n = 0;
        await client.query(
          statement.replace(/\?/g, () => `$${++n}`),
          [...values],
        );
      } finally {
        await client.end();
      }
    } else {
      const connection = await mysql.createConnection({ uri: this.databaseUrl });
      try {
        await connection.query(statement, [...values]);
      } finally {
        await connection.end();
      }
    }
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.store.close();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}
