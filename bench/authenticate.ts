// Micro-benchmark: TokenAuthentication.authenticateCredentials() on a SQLite store holding
// 100,000 tokens, next to a bare SHA-256 + Map lookup of the same keys.
// Run: npm run bench:authenticate   (prints nanoseconds per call; figures drift, compare ratios)
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuthenticationFailed } from '../src/core/errors.js';
import { generateKey, keyDigest, keyPreview } from '../src/core/key-format.js';
import { TokenAuthentication } from '../src/core/token-authentication.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 100_000);
const USERS = 1000;
const SAMPLE = 2000;

/** Fills the tables directly: setup speed only, the measured path goes through the store. */
function seed(filename: string): string[] {
  const db = new Database(filename);
  const now = '2026-01-01 00:00:00.000000';
  const addUser = db.prepare(
    `INSERT INTO auth_user (password, last_login, is_superuser, username, last_name, email,
       is_staff, is_active, date_joined, first_name) VALUES ('!', NULL, 0, ?, '', '', 0, 1, ?, '')`,
  );
  const addToken = db.prepare(
    `INSERT INTO tessera_token (user_id, kind, name, digest, preview, scopes, created)
     VALUES (?, 'named', ?, ?, ?, '["*"]', ?)`,
  );
  const sample: string[] = [];
  db.transaction(() => {
    for (let u = 1; u <= USERS; u++) addUser.run(`user${u}`, now);
    for (let i = 0; i < TOKENS; i++) {
      const key = generateKey();
      if (i % Math.floor(TOKENS / SAMPLE) === 0) sample.push(key);
      addToken.run((i % USERS) + 1, `token${i}`, keyDigest(key), keyPreview(key), now);
    }
  })();
  db.close();
  return sample;
}

async function timeAsync(
  label: string,
  keys: readonly string[],
  rounds: number,
  run: (key: string) => Promise<unknown>,
) {
  for (const key of keys) await run(key); // warm up
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const key of keys) await run(key);
  const ns = Number(process.hrtime.bigint() - start) / (rounds * keys.length);
  return { label, ns };
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
try {
  const filename = join(dir, 'bench.sqlite3');
  const store = openSqliteStore({ filename });
  await store.migrate();
  const valid = seed(filename);
  const authentication = new TokenAuthentication({ store });
  const refused = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => {
        if (!(error instanceof AuthenticationFailed)) throw error;
      },
    );
  const malformed = valid.map((key) => `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`);
  const unknown = valid.map(() => generateKey());
  const map = new Map(valid.map((key) => [hash('sha256', key, 'hex'), { key }]));

  const rows = [
    await timeAsync('bare sha256 + Map.get', valid, 50, async (key) =>
      map.get(hash('sha256', key, 'hex')),
    ),
    await timeAsync('authenticate: valid key', valid, 20, (key) =>
      authentication.authenticateCredentials(key),
    ),
    await timeAsync('authenticate: bad checksum (no read)', malformed, 50, (key) =>
      refused(authentication.authenticateCredentials(key)),
    ),
    await timeAsync('authenticate: unknown well-formed key', unknown, 20, (key) =>
      refused(authentication.authenticateCredentials(key)),
    ),
  ];
  const bare = rows[0]?.ns ?? 1;
  console.log(
    `authenticate() on SQLite with ${TOKENS.toLocaleString('en')} tokens (node ${process.version})`,
  );
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(40)} ${row.ns.toFixed(0).padStart(8)} ns/call  ${(row.ns / bare).toFixed(1)}x bare`,
    );
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
