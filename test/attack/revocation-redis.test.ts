import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { CliSandbox } from '../cli/run-cli.js';
import { type NodeEnv, ServerNode, tessera, within } from '../multi-node/node-process.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { inParallel, loopbackAddress, requestFrom } from './support/loopback-client.js';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
// The channel is not configurable: other test files may publish on it too, which is harmless
// (an extra invalidation only empties a cache), so each check looks for its own message.
const CHANNEL = 'tessera:invalidation';
// README "Many nodes": a revocation reaches every node's cache within a second.
const PROPAGATION_BOUND_MS = 1000;
const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;
const CLIENTS = 8;

/** A database the two nodes and the CLI share, and a way to delete a row behind tessera's back. */
interface SharedDatabase {
  readonly url: string;
  deleteTokenRow(id: number): Promise<void>;
  drop(): Promise<void>;
}

async function mariadb(): Promise<SharedDatabase> {
  const databases = new FreshDatabases('mysql');
  const { url } = await databases.create();
  return {
    url,
    async deleteTokenRow(id) {
      const connection = await mysql.createConnection({ uri: url });
      await connection.query('DELETE FROM tessera_token WHERE id = ?', [id]);
      await connection.end();
    },
    drop: () => databases.dropAll(),
  };
}

async function sqlite(): Promise<SharedDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-revocation-'));
  const file = join(dir, 'tessera.sqlite3');
  return {
    url: `sqlite:${file}`,
    async deleteTokenRow(id) {
      const db = new Database(file, { timeout: 5000 });
      db.prepare('DELETE FROM tessera_token WHERE id = ?').run(id);
      db.close();
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Finding 1: two `tessera serve` processes with a token cache on SQLite and MariaDB, where
 * Redis carries tessera's own invalidations beside the change log the triggers fill. A key is
 * cached on both nodes, then the CLI, a third process, revokes it three ways; every node must
 * refuse the key within a second, and a plain Redis subscriber must see what the CLI published.
 */
function scenario(name: string, open: () => Promise<SharedDatabase>) {
  describe(`two nodes on ${name}, invalidations through Redis and the change log`, () => {
    let database: SharedDatabase;
    let env: NodeEnv;
    let nodes: ServerNode[] = [];
    let adminKey = '';
    let listener: Redis;
    const heard: string[] = [];
    // Distinct peers per run: key-failure counts live in the shared Redis for a minute.
    let nextAddress = randomInt(0, 50_000);

    before(async () => {
      database = await open();
      env = {
        DATABASE_URL: database.url,
        REDIS_URL,
        TESSERA_TOKEN_CACHE_TTL: '5m',
      };
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'alice']);
      adminKey = KEY_LINE.exec(tessera(env, ['drf_create_token', 'alice']))?.[1] ?? '';
      listener = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      listener.on('message', (_channel, message) => heard.push(message));
      await listener.subscribe(CHANNEL);
      nodes = await Promise.all([ServerNode.start(env), ServerNode.start(env)]);
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      listener?.disconnect();
      await database?.drop();
    });

    /** Many clients, each from its own loopback address, use `key` on every node. */
    async function statuses(key: string): Promise<{ status: number; body: string }[]> {
      const tasks = nodes.flatMap((node) =>
        Array.from({ length: CLIENTS / nodes.length }, () => () => {
          const address = loopbackAddress(nextAddress++ % 60_000);
          return requestFrom(address, {
            url: new URL('/api/build-trigger/', node.url).href,
            method: 'POST',
            headers: { Authorization: `Token ${key}` },
          });
        }),
      );
      return inParallel(CLIENTS, tasks);
    }

    /** Uses the key on both nodes until a request has been served from each node's cache. */
    async function cacheEverywhere(key: string): Promise<void> {
      for (let round = 0; round < 3; round++) {
        for (const answer of await statuses(key)) assert.equal(answer.status, 200, answer.body);
      }
    }

    async function refusedEverywhere(key: string, detail: string): Promise<void> {
      await within(PROPAGATION_BOUND_MS, `every node refusing the key with ${detail}`, async () =>
        (await statuses(key)).every((answer) => answer.status === 401 && answer.body === detail),
      );
    }

    async function mint(owner: string, tokenName: string): Promise<{ id: number; key: string }> {
      const [nodeA] = nodes as [ServerNode];
      // A fresh connection: a kept-alive one may be closed by the server's idle timeout just as
      // the next request goes out on it (seen under load as "fetch failed").
      const created = await requestFrom(loopbackAddress(nextAddress++ % 60_000), {
        url: new URL('/api/tokens/', nodeA.url).href,
        method: 'POST',
        headers: { Authorization: `Token ${owner}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: tokenName }),
      });
      assert.equal(created.status, 201, created.body);
      return JSON.parse(created.body);
    }

    function heardMessage(message: object): Promise<number> {
      const text = JSON.stringify(message);
      return within(PROPAGATION_BOUND_MS, `a Redis subscriber hearing ${text}`, async () =>
        heard.includes(text),
      );
    }

    it('a row deleted behind their back reaches both caches too (the change log its triggers fill)', async () => {
      const { id, key } = await mint(adminKey, 'witness');
      await cacheEverywhere(key);
      await database.deleteTokenRow(id);
      await refusedEverywhere(key, '{"detail":"Invalid token."}');
    });

    it('`tokens revoke <id>` from the CLI reaches both caches and Redis', async () => {
      const { id, key } = await mint(adminKey, 'ci');
      await cacheEverywhere(key);
      tessera(env, ['tokens', 'revoke', String(id)]);
      await heardMessage({ tokenId: id });
      await refusedEverywhere(key, '{"detail":"Invalid token."}');
    });

    it('`users deactivate` from the CLI reaches both caches and Redis', async () => {
      const { key } = await mint(adminKey, 'deploy');
      await cacheEverywhere(key);
      tessera(env, ['users', 'deactivate', 'alice']);
      const userId = JSON.parse(tessera(env, ['users', 'list', '--json'])).find(
        (user: { username: string }) => user.username === 'alice',
      ).id;
      await heardMessage({ userId });
      await refusedEverywhere(key, '{"detail":"User inactive or deleted."}');
      tessera(env, ['users', 'activate', 'alice']);
    });

    it('`tokens revoke --user U --all` from the CLI reaches both caches and Redis', async () => {
      tessera(env, ['users', 'add', 'bob']);
      const bobKey = KEY_LINE.exec(tessera(env, ['drf_create_token', 'bob']))?.[1] ?? '';
      const { key } = await mint(bobKey, 'laptop');
      await cacheEverywhere(bobKey);
      await cacheEverywhere(key);
      tessera(env, ['tokens', 'revoke', '--user', 'bob', '--all']);
      const userId = JSON.parse(tessera(env, ['users', 'list', '--json'])).find(
        (user: { username: string }) => user.username === 'bob',
      ).id;
      await heardMessage({ userId });
      await refusedEverywhere(bobKey, '{"detail":"Invalid token."}');
      await refusedEverywhere(key, '{"detail":"Invalid token."}');
    });
  });
}

scenario('MariaDB', mariadb);
scenario('SQLite', sqlite);

/**
 * A careless operator's Redis: refusing connections, or accepting them and never answering. The
 * CLI's revocation is saved, the operator is told on stderr that other nodes keep the key cached
 * until their TTL (without the URL's password), the exit status says so, and the CLI never hangs.
 */
describe('a CLI revocation that Redis cannot carry', () => {
  const sandbox = new CliSandbox();
  const sockets = new Set<Socket>();
  let silent: Server;
  let silentPort = 0;
  let tokenIds: number[] = [];

  before(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    silentPort = (silent.address() as { port: number }).port;
    for (const args of [['migrate'], ['users', 'add', 'carol']]) {
      assert.equal(sandbox.run(args).status, 0);
    }
    for (const name of ['one', 'two']) {
      assert.equal(sandbox.run(['tokens', 'create', 'carol', '--name', name]).status, 0);
    }
    tokenIds = JSON.parse(sandbox.run(['tokens', 'list', '--json']).stdout).map(
      (token: { id: number }) => token.id,
    );
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => silent.close(done));
    sandbox.cleanup();
  });

  /** Runs the CLI with a deadline far above its own timeouts: a hang shows as a null status. */
  function run(args: readonly string[], redisUrl: string) {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        join(import.meta.dirname, '../../src/cli/main.ts'),
        ...args,
      ],
      {
        cwd: sandbox.dir,
        env: sandbox.env({ REDIS_URL: redisUrl, TESSERA_DB_CONNECT_TIMEOUT_MS: '500' }),
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const cases = [
    ['refusing connections', () => 'redis://:hunter2-redis@127.0.0.1:1', 'ECONNREFUSED'],
    [
      'accepting and never answering',
      () => `redis://:hunter2-redis@127.0.0.1:${silentPort}`,
      'no answer within 500 ms',
    ],
  ] as const;
  for (const [index, [behaviour, url, reason]] of cases.entries()) {
    it(`Redis ${behaviour}: saved, warned on stderr, exit status 3`, () => {
      const id = tokenIds[index] as number;
      const result = run(['tokens', 'revoke', String(id)], url());
      assert.equal(result.status, 3, `status ${result.status}, stderr: ${result.stderr}`);
      assert.equal(result.stdout, `Revoked token ${id}.\n`);
      assert.match(
        result.stderr,
        /^Warning: the change is saved, but Redis did not carry its invalidation \(token \d+\) to other nodes \(/,
      );
      assert.ok(result.stderr.includes(reason), result.stderr);
      assert.match(
        result.stderr,
        /token caches will serve the affected keys until the cache TTL \(TESSERA_TOKEN_CACHE_TTL\) ends\.\n$/,
      );
      assert.ok(!result.stderr.includes('hunter2'), 'the Redis password is never shown');
      const left = JSON.parse(sandbox.run(['tokens', 'list', '--json']).stdout);
      assert.ok(!left.some((token: { id: number }) => token.id === id), 'the revocation is saved');
    });
  }
});
