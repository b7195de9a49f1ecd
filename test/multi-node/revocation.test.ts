import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { FreshDatabases } from '../stores/fresh-database.js';
import { type NodeEnv, ServerNode, tessera, within } from './node-process.js';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
// Every store carries revocations to every node's cache (PostgreSQL NOTIFY, SQLite's and
// MySQL's change log, Redis); docs/many-nodes.md promises within a second.
const PROPAGATION_BOUND_MS = 1000;
const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;
const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';

type Kind = 'sqlite' | 'postgres' | 'mysql';

/** A database of one kind, and raw SQL on it from a connection that is not tessera's. */
interface Database {
  readonly url: string;
  sql(statement: string, values?: readonly unknown[]): Promise<void>;
  drop(): Promise<void>;
}

async function database(kind: Kind): Promise<Database> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-nodes-'));
    const filename = join(directory, 'tessera.sqlite3');
    const BetterSqlite = createRequire(import.meta.url)('better-sqlite3');
    return {
      url: `sqlite:${filename}`,
      async sql(statement, values = []) {
        const connection = new BetterSqlite(filename);
        try {
          connection.prepare(statement).run(...values);
        } finally {
          connection.close();
        }
      },
      async drop() {
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const databases = new FreshDatabases(kind);
  const { url } = await databases.create();
  return {
    url,
    async sql(statement, values = []) {
      if (kind === 'postgres') {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(
            statement.replace(/\?/g, () => '$1'),
            [...values],
          );
        } finally {
          await client.end();
        }
      } else {
        const connection = await mysql.createConnection(url);
        try {
          await connection.query(statement, [...values]);
        } finally {
          await connection.end();
        }
      }
    },
    drop: () => databases.dropAll(),
  };
}

/**
 * Two reference-server processes on one database, with settings as shipped (the token cache on
 * by default): a token minted through node A works on node B, then another process revokes it
 * (the CLI, or raw SQL as an admin or a Django app would write it), and both nodes refuse it
 * within a second.
 */
function scenario(kind: Kind, name: string, extraEnv: NodeEnv, cacheOn: boolean) {
  describe(`two nodes on one ${kind} database: ${name}`, () => {
    let db: Database;
    let env: NodeEnv;
    let nodes: ServerNode[] = [];
    let adminKey = '';

    before(async () => {
      db = await database(kind);
      env = { DATABASE_URL: db.url, ...extraEnv };
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'alice']);
      adminKey = KEY_LINE.exec(tessera(env, ['drf_create_token', 'alice']))?.[1] ?? '';
      nodes = await Promise.all([ServerNode.start(env), ServerNode.start(env)]);
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      await db.drop();
    });

    async function mint(tokenName: string): Promise<{ id: number; key: string }> {
      const [nodeA] = nodes;
      const created = await nodeA?.post('/api/tokens/', adminKey, {
        name: tokenName,
        scopes: ['builds:trigger'],
      });
      assert.equal(created?.status, 201, created?.body);
      return JSON.parse(created?.body ?? '{}');
    }

    async function servedEverywhere(key: string): Promise<void> {
      for (let round = 0; round < 3; round++) {
        const statuses = await Promise.all(
          nodes.map(async (node) => (await node.post('/api/build-trigger/', key)).status),
        );
        assert.deepEqual(statuses, [200, 200]);
      }
    }

    async function refusedEverywhere(key: string, detail: string): Promise<number> {
      if (!cacheOn) {
        // No cache: the first request after the change is refused, on both nodes.
        for (const node of nodes) {
          assert.equal((await node.post('/api/build-trigger/', key)).body, detail);
        }
      }
      const took = await within(PROPAGATION_BOUND_MS, 'every node refusing the token', async () => {
        const answers = await Promise.all(
          nodes.map((node) => node.post('/api/build-trigger/', key)),
        );
        return answers.every((answer) => answer.status === 401 && answer.body === detail);
      });
      assert.ok(took <= PROPAGATION_BOUND_MS, `took ${took} ms`);
      return took;
    }

    test('a token created on node A works on node B; the CLI revokes it; both refuse it', async () => {
      const { id, key } = await mint('ci');
      await servedEverywhere(key);
      tessera(env, ['tokens', 'revoke', String(id)]);
      await refusedEverywhere(key, INVALID);
    });

    test('a raw DELETE FROM tessera_token by another connection is refused everywhere', async () => {
      const { id, key } = await mint('bypassed');
      await servedEverywhere(key);
      await db.sql('DELETE FROM tessera_token WHERE id = ?', [id]);
      await refusedEverywhere(key, INVALID);
    });

    test('deactivating the user with the CLI reaches every node', async () => {
      const { key } = await mint('deploy');
      await servedEverywhere(key);
      tessera(env, ['users', 'deactivate', 'alice']);
      await refusedEverywhere(key, INACTIVE);
      tessera(env, ['users', 'activate', 'alice']);
    });

    test('a raw UPDATE auth_user SET is_active = false by another connection reaches every node', async () => {
      const { key } = await mint('admin-sql');
      await servedEverywhere(key);
      await db.sql(
        `UPDATE auth_user SET is_active = ${kind === 'postgres' ? 'false' : '0'} WHERE username = ?`,
        ['alice'],
      );
      await refusedEverywhere(key, INACTIVE);
      tessera(env, ['users', 'activate', 'alice']);
    });

    test('a rotation through node B stops the old key on node A', async () => {
      const [nodeA, nodeB] = nodes as [ServerNode, ServerNode];
      const { id, key } = await mint('rotating');
      assert.equal((await nodeA.post('/api/build-trigger/', key)).status, 200);
      const rotated = await nodeB.post(`/api/tokens/${id}/rotate/`, adminKey);
      assert.equal(rotated.status, 200);
      await refusedEverywhere(key, INVALID);
      assert.equal(
        (await nodeA.post('/api/build-trigger/', JSON.parse(rotated.body).key)).status,
        200,
      );
    });
  });
}

for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  scenario(kind, 'as shipped (cache on by default)', {}, true);
  scenario(kind, 'cache on by default, with Redis', { REDIS_URL }, true);
}
scenario(
  'postgres',
  'cache off (TESSERA_TOKEN_CACHE_TTL=off)',
  { TESSERA_TOKEN_CACHE_TTL: 'off' },
  false,
);
scenario(
  'sqlite',
  'cache off (TESSERA_TOKEN_CACHE_TTL=off)',
  { TESSERA_TOKEN_CACHE_TTL: 'off' },
  false,
);
