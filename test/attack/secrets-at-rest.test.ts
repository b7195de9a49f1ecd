import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { keyDigest } from '../../src/core/tokens/key-format.js';
import { type NodeEnv, ServerNode, tessera } from '../multi-node/node-process.js';
import { FreshDatabases } from '../stores/fresh-database.js';

// SECURITY.md: "Keys are stored only as SHA-256 digests; passwords as Django's salted
// PBKDF2-SHA256". Tried as a thief with the database would: every way tessera mints a key
// (drf_create_token, tokens create, obtain-token, the token API, rotate) and sets a password,
// then the whole database read back byte for byte, looking for any of the secrets.

const PASSWORD = 'Quartz-lantern-91';
const KEY = /^tsr_[0-9A-Za-z_]+$|(?<=Generated token )tsr_[0-9A-Za-z_]+/;

function keyIn(output: string): string {
  const key = KEY.exec(output)?.[0];
  assert.ok(key, `no key in ${JSON.stringify(output)}`);
  return key;
}

/** Mints keys every way there is; returns them, the last one the key its rotation replaced. */
async function mintEveryWay(env: NodeEnv): Promise<string[]> {
  tessera(env, ['migrate']);
  tessera(env, ['users', 'add', 'alice', '--password-stdin'], `${PASSWORD}\n`);
  const keys = [keyIn(tessera(env, ['drf_create_token', 'alice']))];
  keys.push(keyIn(tessera(env, ['tokens', 'create', 'alice', '--name', 'ci'])));
  const server = await ServerNode.start(env);
  try {
    const login = await fetch(new URL('/api-token-auth/', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    keys.push(keyIn(((await login.json()) as { token: string }).token));
    const created = await server.post('/api/tokens/', keys[0] as string, { name: 'deploy' });
    assert.equal(created.status, 201, created.body);
    keys.push(keyIn(JSON.parse(created.body).key));
    const id = (JSON.parse(created.body) as { id: number }).id;
    const rotated = await server.post(`/api/tokens/${id}/rotate/`, keys[0] as string);
    assert.equal(rotated.status, 200, rotated.body);
    keys.splice(3, 0, keyIn(JSON.parse(rotated.body).key));
  } finally {
    await server.stop();
  }
  return keys;
}

/** The random part of a key: what would give it away even without its prefix. */
function randomPart(key: string): string {
  return key.slice('tsr_'.length, 'tsr_'.length + 24);
}

function assertNoSecret(dump: string, keys: readonly string[]): void {
  // The dump must be the real one: each live key's digest is in it (not the rotated-away one).
  for (const key of keys.slice(0, -1))
    assert.ok(dump.includes(keyDigest(key)), `digest of key ${keys.indexOf(key)} missing`);
  for (const key of keys) {
    assert.equal(dump.includes(randomPart(key)), false, 'a key is stored in the database');
  }
  assert.equal(dump.includes(PASSWORD), false, 'the password is stored in the database');
  assert.match(dump, /pbkdf2_sha256\$/);
}

describe('secrets at rest: the database holds digests and hashes only', () => {
  const postgres = new FreshDatabases('postgres');
  const mariadb = new FreshDatabases('mysql');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-at-rest-'));
  after(async () => {
    await postgres.dropAll();
    await mariadb.dropAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SQLite: no key or password anywhere in the file or its journal', async () => {
    const file = join(dir, 'db.sqlite3');
    const keys = await mintEveryWay({ DATABASE_URL: `sqlite:${file}` });
    // The digest is stored as text; read every byte, in the file and any write-ahead log.
    const dump = [file, `${file}-wal`, `${file}-journal`]
      .filter(existsSync)
      .map((path) => readFileSync(path).toString('latin1'))
      .join('\n');
    assertNoSecret(dump, keys);
  });

  it('PostgreSQL: no key or password in any row of any table', async () => {
    const { url } = await postgres.create();
    const keys = await mintEveryWay({ DATABASE_URL: url });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      let dump = '';
      for (const { name } of tables.rows) {
        const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
        dump += rows.rows.map((row: { row: string }) => row.row).join('\n');
      }
      assertNoSecret(dump, keys);
    } finally {
      await client.end();
    }
  });

  it('MariaDB: no key or password in any row of any table', async () => {
    const { url, name } = await mariadb.create();
    const keys = await mintEveryWay({ DATABASE_URL: url });
    const connection = await mysql.createConnection(url);
    try {
      const [tables] = await connection.query(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
        [name],
      );
      let dump = '';
      for (const table of tables as { name: string }[]) {
        const [rows] = await connection.query(`SELECT * FROM \`${table.name}\``);
        dump += JSON.stringify(rows);
      }
      assertNoSecret(dump, keys);
    } finally {
      await connection.end();
    }
  });
});
