// Micro-benchmarks of TokenAuthentication.authenticate() in-process, on SQLite: nanoseconds per
// call for a valid key, a malformed key (refused by grammar or checksum, no read) and an unknown
// well-formed key, beside a bare SHA-256 + Map lookup; the valid-key cost at 1,000, 100,000 and
// 1,000,000 tokens; and the token cache's memory at its bound (estimate and measured heap).
// Run: npm run bench:authenticate   (figures drift on a shared machine: compare within one run)
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  DEFAULT_SETTINGS,
  type LibrarySettings,
  settingsOwnedBy,
  THROTTLING_OFF,
} from '../src/core/config/settings.js';
import { AuthenticationFailed } from '../src/core/errors.js';
import type { ViewRequest } from '../src/core/http/request.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import type { Store } from '../src/core/store.js';
import { createTessera } from '../src/core/tessera.js';
import { systemClock } from '../src/core/time/clock.js';
import { generateKey, keyDigest, keyPreview } from '../src/core/tokens/key-format.js';
import { TokenCache } from '../src/core/tokens/token-cache.js';
import { createUser } from '../src/core/users/users.js';
import { openStore } from '../src/stores/open-store.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';
import { median } from './interleaved-load.js';
import { createBenchDatabase } from './postgres-database.js';
import { seedTokens } from './token-fixture.js';

/** One timed row: nanoseconds per call, the median over interleaved rounds. */
export interface NsRow {
  readonly label: string;
  readonly ns: number;
}

/** What `authenticateFigures` measured. */
export interface AuthenticateFigures {
  readonly tokens: number;
  readonly bare: NsRow;
  readonly valid: NsRow;
  readonly validCached: NsRow;
  readonly badChecksum: NsRow;
  readonly badGrammar: NsRow;
  readonly unknown: NsRow;
}

/** The valid-key cost at each store size, with the default settings and without the cache. */
export interface ScaleFigures {
  /** The same hot keys are asked at every size. */
  readonly hotKeys: number;
  /** With the default settings (the token cache on, as shipped). */
  readonly sizes: readonly { readonly tokens: number; readonly ns: number }[];
  /** ns at the largest size over ns at the smallest, with the default settings. */
  readonly ratio: number;
  /** Reading every request (`tokenCacheSeconds` null). */
  readonly uncachedSizes: readonly { readonly tokens: number; readonly ns: number }[];
  readonly uncachedRatio: number;
}

/** The valid-key `authenticate()` per store, each read every time and through the token cache. */
export interface LookupByStoreFigures {
  readonly tokens: number;
  readonly rows: readonly NsRow[];
}

/** The token cache filled past its bound. */
export interface CacheMemoryFigures {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Lookups of distinct valid keys made to fill it (more than `maxEntries`). */
  readonly lookups: number;
  readonly entries: number;
  /** `TokenCache.size.bytes`, the cache's own estimate. */
  readonly estimatedBytes: number;
  /** Growth of the V8 heap (after full collections) from the empty cache to the full one. */
  readonly heapBytes: number;
}

type Call = (key: string) => unknown;

/** A request carrying `Authorization: Token <key>` from 127.0.0.1, as an adapter builds one. */
function tokenRequest(key: string): ViewRequest {
  // Flat, as Node's HTTP parser hands a header over: a template literal makes a rope, which V8
  // flattens on the first character read, a cost no request pays.
  const header = Buffer.from(`Token ${key}`, 'latin1').toString('latin1');
  return {
    method: 'POST',
    header: (name) => (name === 'authorization' ? header : undefined),
    query: () => undefined,
    readBody: async () => new Uint8Array(),
    remoteAddress: '127.0.0.1',
  };
}

async function timeOnce(keys: readonly string[], call: Call): Promise<number> {
  const start = process.hrtime.bigint();
  for (const key of keys) {
    const result = call(key);
    if (result instanceof Promise) await result;
  }
  return Number(process.hrtime.bigint() - start) / keys.length;
}

/** Runs every row over its keys once per round, rows in turn, and keeps each row's median. */
async function interleavedNs(
  rows: readonly { label: string; keys: readonly string[]; call: Call }[],
  rounds: number,
): Promise<NsRow[]> {
  for (const row of rows) await timeOnce(row.keys, row.call); // warm-up
  const times = rows.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, row] of rows.entries())
      times[index]?.push(await timeOnce(row.keys, row.call));
  }
  return rows.map((row, index) => ({ label: row.label, ns: median(times[index] ?? []) }));
}

// `authenticate()` refuses by throwing at once when no backend needs asking, else by rejecting.
function expectRefusal(attempt: () => unknown): Promise<void> | undefined {
  let result: unknown;
  try {
    result = attempt();
  } catch (error) {
    if (!(error instanceof AuthenticationFailed)) throw error;
    return undefined;
  }
  if (!(result instanceof Promise)) throw new Error('expected a refusal');
  return result.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      if (!(error instanceof AuthenticationFailed)) throw error;
    },
  );
}

function tempStore(tokens: number, sampleSize: number, sampleKeys?: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const filename = join(dir, 'bench.sqlite3');
  const store = openSqliteStore({ filename });
  return {
    store,
    async seed(): Promise<string[]> {
      await store.migrate();
      return seedTokens(filename, tokens, sampleSize, sampleKeys);
    },
    async close(): Promise<void> {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Settings as shipped; the refusal rows turn the key-guess limit off, or they would time 429s.
const SHIPPED: LibrarySettings = settingsOwnedBy('library', DEFAULT_SETTINGS);

/** Times `authenticate()` for each kind of key on a store of `tokens` tokens. */
export async function authenticateFigures(
  options: { tokens?: number; rounds?: number; sample?: number } = {},
): Promise<AuthenticateFigures> {
  const tokens = options.tokens ?? 100_000;
  const fixture = tempStore(tokens, options.sample ?? 2000);
  try {
    const valid = await fixture.seed();
    const { store } = fixture;
    // The valid-key row reads the store every time (the cache off), as it always has.
    const shipped = createTessera({ store, settings: { ...SHIPPED, tokenCacheSeconds: null } });
    const cached = createTessera({ store, settings: { ...SHIPPED, tokenCacheSeconds: 60 } });
    const unlimited = createTessera({ store, settings: { ...SHIPPED, ...THROTTLING_OFF } });
    const requests = new Map<string, ViewRequest>();
    const request = (key: string) => requests.get(key) as ViewRequest;
    const badChecksum = valid.map((key) => `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`);
    const badGrammar = valid.map((key) => key.slice(0, -1));
    const unknown = valid.map(() => generateKey());
    for (const key of [...valid, ...badChecksum, ...badGrammar, ...unknown]) {
      requests.set(key, tokenRequest(key));
    }
    const map = new Map(valid.map((key) => [hash('sha256', key, 'hex'), { key }]));
    const rows = await interleavedNs(
      [
        { label: 'bare sha256 + Map.get', keys: valid, call: (key) => map.get(keyDigest(key)) },
        {
          label: 'authenticate(): valid key, cache off',
          keys: valid,
          call: (key) => shipped.tokenAuthentication.authenticate(request(key)),
        },
        {
          label: 'authenticate(): valid key, token cache hit',
          keys: valid,
          call: (key) => cached.tokenAuthentication.authenticate(request(key)),
        },
        {
          label: 'authenticate(): bad checksum (no read)',
          keys: badChecksum,
          call: (key) =>
            expectRefusal(() => unlimited.tokenAuthentication.authenticate(request(key))),
        },
        {
          label: 'authenticate(): bad grammar (no read)',
          keys: badGrammar,
          call: (key) =>
            expectRefusal(() => unlimited.tokenAuthentication.authenticate(request(key))),
        },
        {
          label: 'authenticate(): unknown well-formed key',
          keys: unknown,
          call: (key) =>
            expectRefusal(() => unlimited.tokenAuthentication.authenticate(request(key))),
        },
      ],
      options.rounds ?? 7,
    );
    for (const tessera of [shipped, cached, unlimited]) await tessera.close();
    const [bare, validRow, validCached, checksumRow, grammarRow, unknownRow] = rows as [
      NsRow,
      NsRow,
      NsRow,
      NsRow,
      NsRow,
      NsRow,
    ];
    return {
      tokens,
      bare,
      valid: validRow,
      validCached,
      badChecksum: checksumRow,
      badGrammar: grammarRow,
      unknown: unknownRow,
    };
  } finally {
    await fixture.close();
  }
}

/**
 * Times the valid-key `authenticate()` on stores of each size, interleaved: the same 1,000 hot
 * keys in each, asked with the default settings (the token cache as shipped) and read every time.
 */
export async function scaleFigures(
  options: { sizes?: readonly number[]; rounds?: number; hotKeys?: number } = {},
): Promise<ScaleFigures> {
  const sizes = options.sizes ?? [1000, 100_000, 1_000_000];
  const hotKeys = options.hotKeys ?? 1000;
  const keys = Array.from({ length: hotKeys }, () => generateKey());
  const fixtures = sizes.map((tokens) => ({ tokens, fixture: tempStore(tokens, hotKeys, keys) }));
  try {
    const rows = [];
    const tesseras = [];
    const requests = new Map(keys.map((key) => [key, tokenRequest(key)]));
    for (const { fixture } of fixtures) await fixture.seed();
    for (const cacheSeconds of [SHIPPED.tokenCacheSeconds, null]) {
      for (const { tokens, fixture } of fixtures) {
        const tessera = createTessera({
          store: fixture.store,
          settings: { ...SHIPPED, tokenCacheSeconds: cacheSeconds },
        });
        tesseras.push(tessera);
        rows.push({
          label: `${tokens}, ${cacheSeconds === null ? 'uncached' : 'defaults'}`,
          keys,
          call: (key: string) =>
            tessera.tokenAuthentication.authenticate(requests.get(key) as ViewRequest),
        });
      }
    }
    const measured = await interleavedNs(rows, options.rounds ?? 7);
    for (const tessera of tesseras) await tessera.close();
    const bySize = (from: number) =>
      sizes.map((tokens, index) => ({ tokens, ns: measured[from + index]?.ns ?? Number.NaN }));
    const cached = bySize(0);
    const uncached = bySize(sizes.length);
    const ratio = (figures: readonly { ns: number }[]) =>
      (figures[figures.length - 1]?.ns ?? Number.NaN) / (figures[0]?.ns ?? Number.NaN);
    return {
      hotKeys,
      sizes: cached,
      ratio: ratio(cached),
      uncachedSizes: uncached,
      uncachedRatio: ratio(uncached),
    };
  } finally {
    for (const { fixture } of fixtures) await fixture.close();
  }
}

/** Adds `count` tokens to `store` through its API, for one user, and returns their keys. */
async function addTokens(store: Store, count: number): Promise<string[]> {
  const passwords = new PasswordHasher({ iterations: 1000 });
  const user = await createUser(store, passwords, systemClock, {
    username: 'bench',
    password: 'bench-password',
  });
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = generateKey();
    await store.createToken({
      userId: user.id,
      kind: 'named',
      name: `token${i}`,
      digest: keyDigest(key),
      preview: keyPreview(key),
      scopes: ['*'],
      created: new Date(),
      expires: null,
      slidingSeconds: null,
      maxExpires: null,
    });
    keys.push(key);
  }
  return keys;
}

/**
 * The valid-key `authenticate()` on SQLite and on PostgreSQL (at `postgresAdminUrl`, in a database
 * made for the run), each without and with the token cache, interleaved in one process.
 */
export async function lookupByStoreFigures(
  postgresAdminUrl: string,
  options: { tokens?: number; rounds?: number } = {},
): Promise<LookupByStoreFigures> {
  const tokens = options.tokens ?? 2000;
  const sqlite = tempStore(tokens, tokens);
  const database = await createBenchDatabase(postgresAdminUrl);
  const settings = SHIPPED;
  let postgres: Store | undefined;
  const tesseras: ReturnType<typeof createTessera>[] = [];
  try {
    const sqliteKeys = await sqlite.seed();
    postgres = await openStore(database.url);
    await postgres.migrate();
    const postgresKeys = await addTokens(postgres, tokens);
    const rows = [];
    for (const [name, store, keys] of [
      ['SQLite', sqlite.store, sqliteKeys],
      ['PostgreSQL', postgres, postgresKeys],
    ] as const) {
      const requests = new Map(keys.map((key) => [key, tokenRequest(key)]));
      for (const cacheSeconds of [null, 60]) {
        const tessera = createTessera({
          store,
          settings: { ...settings, tokenCacheSeconds: cacheSeconds },
        });
        tesseras.push(tessera);
        rows.push({
          label: `${name}, ${cacheSeconds === null ? 'read every request' : 'token cache hit'}`,
          keys,
          call: (key: string) =>
            tessera.tokenAuthentication.authenticate(requests.get(key) as ViewRequest),
        });
      }
    }
    return { tokens, rows: await interleavedNs(rows, options.rounds ?? 7) };
  } finally {
    for (const tessera of tesseras) await tessera.close();
    await postgres?.close();
    await sqlite.close();
    await database.drop();
  }
}

/** A full garbage collection, exposing `gc` when node was started without `--expose-gc`. */
function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/**
 * Fills a token cache with the shipped bounds (`tokenCacheMaxEntries`, `tokenCacheMaxBytes`)
 * from a store holding more tokens than it keeps, and reports its estimate and the heap growth.
 */
export async function cacheMemoryFigures(): Promise<CacheMemoryFigures> {
  const maxEntries = DEFAULT_SETTINGS.tokenCacheMaxEntries;
  const maxBytes = DEFAULT_SETTINGS.tokenCacheMaxBytes;
  const lookups = Math.round(maxEntries * 1.2);
  const fixture = tempStore(lookups * 2, lookups);
  try {
    const keys = await fixture.seed();
    const digests = keys.map(keyDigest);
    const cache = new TokenCache(fixture.store, {
      clock: systemClock,
      ttlMs: 3_600_000,
      maxEntries,
      maxBytes,
    });
    await fixture.store.findTokenByDigest(digests[0] as string); // statement prepared, JIT warm
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (const digest of digests) await cache.findTokenByDigest(digest);
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    const { entries, bytes } = cache.size;
    return {
      maxEntries,
      maxBytes,
      lookups,
      entries,
      estimatedBytes: bytes,
      heapBytes: after - before,
    };
  } finally {
    await fixture.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await authenticateFigures({
    tokens: Number(process.env.BENCH_TOKENS ?? 100_000),
  });
  console.log(
    `authenticate() on SQLite with ${figures.tokens.toLocaleString('en')} tokens (node ${process.version})`,
  );
  const { bare } = figures;
  for (const row of [
    bare,
    figures.valid,
    figures.validCached,
    figures.badChecksum,
    figures.badGrammar,
    figures.unknown,
  ]) {
    console.log(
      `${row.label.padEnd(44)} ${row.ns.toFixed(0).padStart(8)} ns/call  ${(row.ns / bare.ns).toFixed(1)}x bare`,
    );
  }
}
