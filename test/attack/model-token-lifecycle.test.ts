import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { keyDigest } from '../../src/core/tokens/key-format.js';
import { grants, TOKENS_SCOPE } from '../../src/core/tokens/scopes.js';
import {
  createNamedToken,
  revokeToken,
  rotateToken,
} from '../../src/core/tokens/token-management.js';
import { createUser } from '../../src/core/users/users.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { type Answer, Cluster, type ClusterNode, call, TRIGGER_SCOPE } from './model-cluster.js';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
// README and SECURITY.md: with the cache on, a change reaches every node's cache within a second
// through the invalidation channel. The test polls up to this bound, never sleeps a fixed time.
const BOUND_MS = 1000;
const INVALID_TOKEN = '{"detail":"Invalid token."}';
const USER_INACTIVE = '{"detail":"User inactive or deleted."}';
const SCOPE_SETS: readonly (readonly string[])[] = [
  ['*'],
  [TRIGGER_SCOPE],
  [TOKENS_SCOPE],
  [TRIGGER_SCOPE, TOKENS_SCOPE],
  ['reports:read'],
];

/** Who carries out a change: a node's token API (with the user's own `*` key) or the CLI. */
type Via = 0 | 1 | 'cli';

interface ModelUser {
  readonly id: number;
  /** The user's own `*` token, used for the token API; never rotated or revoked by the test. */
  readonly managerKey: string;
  active: boolean;
  /** When `active` last changed, as the operation returned. */
  changedAt: number;
}

/** Every key issued in one run, with what every node must make of it. */
interface ModelKey {
  readonly key: string;
  readonly tokenId: number;
  readonly user: ModelUser;
  readonly scopes: readonly string[];
  /** False once the token was revoked or this key rotated away. */
  live: boolean;
  diedAt: number;
}

interface Model {
  readonly users: ModelUser[];
  readonly keys: ModelKey[];
  names: number;
}

interface Real {
  readonly cluster: Cluster;
  /** How many commands of each kind ran, for the test's diagnostic line. */
  readonly ran: Map<string, number>;
}

function count(real: Real, command: object): void {
  const kind = String(command).split('(')[0] as string;
  real.ran.set(kind, (real.ran.get(kind) ?? 0) + 1);
}

function accepted(key: ModelKey): boolean {
  return key.live && key.user.active;
}

// Since when the key's present answer must hold: the last change that decided it.
function decidedAt(key: ModelKey): number {
  return key.live ? key.user.changedAt : key.diedAt;
}

function expectedWhoami(key: ModelKey): Answer {
  if (!key.live) return { status: 401, body: INVALID_TOKEN };
  if (!key.user.active) return { status: 401, body: USER_INACTIVE };
  return { status: 200, body: JSON.stringify({ token: key.tokenId, scopes: key.scopes }) };
}

/** What may be seen at any moment: a 200 only as this key's own token, with its own scopes. */
function assertConsistent(answer: Answer, key: ModelKey, where: string): void {
  if (answer.status === 200) {
    assert.equal(
      answer.body,
      JSON.stringify({ token: key.tokenId, scopes: key.scopes }),
      `${where}: accepted as another token or with other scopes`,
    );
  } else {
    assert.equal(answer.status, 401, `${where}: ${answer.status} ${answer.body}`);
  }
}

/** Polls until `node` gives `key` the model's answer, by `decidedAt + BOUND_MS`. */
async function converged(node: ClusterNode, key: ModelKey, where: string): Promise<void> {
  const expected = expectedWhoami(key);
  const deadline = decidedAt(key) + BOUND_MS;
  for (;;) {
    const answer = await call(node, 'GET', '/whoami/', key.key);
    assertConsistent(answer, key, where);
    if (answer.status === expected.status && answer.body === expected.body) return;
    if (Date.now() > deadline) {
      assert.deepEqual(answer, expected, `${where}: not within ${BOUND_MS} ms of the change`);
    }
    await new Promise((done) => setTimeout(done, 10));
  }
}

/**
 * Requests with `keys` on every node for as long as `operation` runs, each checked for
 * consistency: the interleaving of in-flight lookups with the change and its invalidation.
 */
async function withTraffic<T>(
  real: Real,
  keys: readonly ModelKey[],
  operation: () => Promise<T>,
): Promise<T> {
  let done = false;
  const traffic = async (node: ClusterNode, key: ModelKey) => {
    for (let sent = 0; !done && sent < 50; sent++) {
      assertConsistent(await call(node, 'GET', '/whoami/', key.key), key, 'during the change');
    }
  };
  const running = real.cluster.nodes.flatMap((node) => keys.map((key) => traffic(node, key)));
  try {
    return await operation();
  } finally {
    done = true;
    await Promise.all(running);
  }
}

/** The token API as the user's own `*` key; after an activation a node may lag by the bound. */
async function asUser(
  real: Real,
  user: ModelUser,
  via: 0 | 1,
  method: string,
  path: string,
  json?: unknown,
): Promise<Answer> {
  const node = real.cluster.nodes[via] as ClusterNode;
  for (;;) {
    const answer = await call(node, method, path, user.managerKey, json);
    if (answer.status !== 401 || Date.now() > user.changedAt + BOUND_MS) return answer;
    await new Promise((done) => setTimeout(done, 10));
  }
}

function pick<T>(list: readonly T[], index: number): T {
  return list[index % list.length] as T;
}

const liveKeys = (model: Model) => model.keys.filter((key) => key.live);

class CreateToken implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly userIndex: number,
    readonly scopes: readonly string[],
    readonly via: Via,
  ) {}
  check = (model: Model) => this.via === 'cli' || pick(model.users, this.userIndex).active;
  async run(model: Model, real: Real): Promise<void> {
    count(real, this);
    const user = pick(model.users, this.userIndex);
    const name = `t${model.names++}`;
    let tokenId: number;
    let key: string;
    if (this.via === 'cli') {
      const issued = await createNamedToken(real.cluster.cli, user.id, {
        name,
        scopes: this.scopes,
      });
      tokenId = issued.token.id;
      key = issued.key;
    } else {
      const answer = await asUser(real, user, this.via, 'POST', '/api/tokens/', {
        name,
        scopes: this.scopes,
      });
      assert.equal(answer.status, 201, answer.body);
      ({ id: tokenId, key } = JSON.parse(answer.body) as { id: number; key: string });
    }
    model.keys.push({ key, tokenId, user, scopes: this.scopes, live: true, diedAt: 0 });
  }
  toString = () => `create(user ${this.userIndex}, ${JSON.stringify(this.scopes)}, ${this.via})`;
}

/** Gives the key's token a new key through `via`; null when the token was gone (404). */
async function rotateVia(real: Real, old: ModelKey, via: Via): Promise<string | null> {
  if (via === 'cli') {
    const rotated = await rotateToken(real.cluster.cli, old.tokenId, { requester: null });
    return rotated?.key ?? null;
  }
  const path = `/api/tokens/${old.tokenId}/rotate/`;
  const answer = await asUser(real, old.user, via, 'POST', path);
  if (answer.status === 404) return null;
  assert.equal(answer.status, 200, answer.body);
  return (JSON.parse(answer.body) as { key: string }).key;
}

/** Deletes the key's token through `via`; false when it was already gone. */
async function revokeVia(real: Real, old: ModelKey, via: Via): Promise<boolean> {
  if (via === 'cli') return revokeToken(real.cluster.cli, old.tokenId, 'revoked');
  const answer = await asUser(real, old.user, via, 'DELETE', `/api/tokens/${old.tokenId}/`);
  assert.ok(answer.status === 204 || answer.status === 404, answer.body);
  return answer.status === 204;
}

/** Ends `old` in the model, adds the keys that replaced it, and checks every node follows. */
async function replaced(
  model: Model,
  real: Real,
  old: ModelKey,
  newKeys: readonly string[],
  what: string,
): Promise<void> {
  old.live = false;
  old.diedAt = Date.now();
  const successors: ModelKey[] = [];
  for (const key of newKeys) {
    // Which of several racing rotations won is the database's to say: its digest is stored.
    const live = (await real.cluster.cli.store.findTokenByDigest(keyDigest(key))) !== null;
    successors.push({ ...old, key, live, diedAt: old.diedAt });
  }
  assert.ok(successors.filter((key) => key.live).length <= 1, `${what}: two live keys`);
  model.keys.push(...successors);
  for (const key of [old, ...successors]) {
    for (const [index, node] of real.cluster.nodes.entries()) {
      await converged(node, key, `${what} then node ${index}, ${key === old ? 'old' : 'new'} key`);
    }
  }
}

/** Rotate or revoke: the old key must be refused on every node within the bound. */
class EndKey implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly action: 'rotate' | 'revoke',
    readonly keyIndex: number,
    readonly via: Via,
    readonly traffic: boolean,
  ) {}
  check = (model: Model) => {
    const live = liveKeys(model);
    return live.length > 0 && (this.via === 'cli' || pick(live, this.keyIndex).user.active);
  };
  async run(model: Model, real: Real): Promise<void> {
    count(real, this);
    const old = pick(liveKeys(model), this.keyIndex);
    const change = async () => {
      if (this.action === 'revoke') {
        assert.ok(await revokeVia(real, old, this.via));
        return [];
      }
      const key = await rotateVia(real, old, this.via);
      assert.ok(key);
      return [key];
    };
    const newKeys = this.traffic ? await withTraffic(real, [old], change) : await change();
    await replaced(model, real, old, newKeys, `${this}`);
  }
  toString = () =>
    `${this.action}(key ${this.keyIndex}, ${this.via}${this.traffic ? ', with traffic' : ''})`;
}

/**
 * Two changes of one token at once: rotations on both nodes, or a rotation on a node racing the
 * CLI's revocation. Whatever the order, the old key ends, and at most one new key lives.
 */
class Race implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: 'rotate-rotate' | 'rotate-revoke',
    readonly keyIndex: number,
    readonly traffic: boolean,
  ) {}
  check = (model: Model) => {
    const live = liveKeys(model);
    return live.length > 0 && pick(live, this.keyIndex).user.active;
  };
  async run(model: Model, real: Real): Promise<void> {
    count(real, this);
    const old = pick(liveKeys(model), this.keyIndex);
    const race = async () => {
      const second =
        this.kind === 'rotate-rotate'
          ? rotateVia(real, old, 1)
          : revokeVia(real, old, 'cli').then(() => null);
      const keys = await Promise.all([rotateVia(real, old, 0), second]);
      return keys.filter((key): key is string => key !== null);
    };
    const newKeys = this.traffic ? await withTraffic(real, [old], race) : await race();
    await replaced(model, real, old, newKeys, `${this}`);
  }
  toString = () => `race ${this.kind}(key ${this.keyIndex}${this.traffic ? ', with traffic' : ''})`;
}

/** `tessera users deactivate` / `activate`: every live key of the user follows within the bound. */
class SetActive implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly userIndex: number,
    readonly active: boolean,
    readonly traffic: boolean,
  ) {}
  check = (model: Model) => pick(model.users, this.userIndex).active !== this.active;
  async run(model: Model, real: Real): Promise<void> {
    count(real, this);
    const user = pick(model.users, this.userIndex);
    const keys = liveKeys(model)
      .filter((key) => key.user === user)
      .slice(0, 2);
    const change = () => real.cluster.cli.store.updateUser(user.id, { isActive: this.active });
    if (this.traffic) await withTraffic(real, keys, change);
    else await change();
    user.active = this.active;
    user.changedAt = Date.now();
    for (const key of keys) {
      for (const [index, node] of real.cluster.nodes.entries()) {
        await converged(node, key, `${this} then node ${index}`);
      }
    }
  }
  toString = () =>
    `${this.active ? 'activate' : 'deactivate'}(user ${this.userIndex}${this.traffic ? ', with traffic' : ''})`;
}

/** A key of the run, live or not, on one node: the model's answer, and scopes held to. */
class Use implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly keyIndex: number,
    readonly node: 0 | 1,
  ) {}
  check = (model: Model) => model.keys.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    count(real, this);
    const key = pick(model.keys, this.keyIndex);
    const node = real.cluster.nodes[this.node] as ClusterNode;
    await converged(node, key, `${this}`);
    const scoped = await call(node, 'POST', '/scoped/', key.key);
    const tokenApi = await call(node, 'GET', '/api/tokens/', key.key);
    const decide = (scope: string) =>
      !accepted(key) ? 401 : grants(key.scopes, scope) ? 200 : 403;
    assert.deepEqual(
      { scoped: scoped.status, tokenApi: tokenApi.status },
      { scoped: decide(TRIGGER_SCOPE), tokenApi: decide(TOKENS_SCOPE) },
      `${this}: HasScope`,
    );
  }
  toString = () => `use(key ${this.keyIndex}, node ${this.node})`;
}

const via = fc.constantFrom<Via>(0, 1, 'cli');
const COMMANDS = [
  fc
    .tuple(fc.nat(1), fc.constantFrom(...SCOPE_SETS), via)
    .map(([user, scopes, by]) => new CreateToken(user, scopes, by)),
  fc
    .tuple(fc.constantFrom('rotate' as const, 'revoke' as const), fc.nat(), via, fc.boolean())
    .map(([action, key, by, traffic]) => new EndKey(action, key, by, traffic)),
  fc
    .tuple(
      fc.constantFrom('rotate-rotate' as const, 'rotate-revoke' as const),
      fc.nat(),
      fc.boolean(),
    )
    .map(([kind, key, traffic]) => new Race(kind, key, traffic)),
  fc
    .tuple(fc.nat(1), fc.boolean(), fc.boolean())
    .map(([user, active, traffic]) => new SetActive(user, active, traffic)),
  fc.tuple(fc.nat(), fc.constantFrom<0 | 1>(0, 1)).map(([key, node]) => new Use(key, node)),
];

async function newUser(cluster: Cluster): Promise<ModelUser> {
  const username = `model_${randomBytes(6).toString('hex')}`;
  const user = await createUser(cluster.cli.store, cluster.passwords, cluster.cli.clock, {
    username,
  });
  const manager = await createNamedToken(cluster.cli, user.id, { name: 'manager', scopes: ['*'] });
  return { id: user.id, managerKey: manager.key, active: true, changedAt: 0 };
}

async function seedKey(
  cluster: Cluster,
  user: ModelUser,
  scopes: readonly string[],
): Promise<ModelKey> {
  const { key, token } = await createNamedToken(cluster.cli, user.id, { name: 'seed', scopes });
  return { key, tokenId: token.id, user, scopes, live: true, diedAt: 0 };
}

/** The property over one database: 20 runs of up to 20 changes and uses. */
function lifecycleModel(name: string, open: () => Promise<{ url: string; redisUrl?: string }>) {
  describe(`model: the token lifecycle on two cached nodes and the CLI, ${name}`, () => {
    let cluster: Cluster;
    before(async () => {
      const { url, redisUrl } = await open();
      cluster = await Cluster.start(url, redisUrl);
    });
    after(() => cluster?.close());

    test('a change is seen on every node within 1 s; keys keep their scopes; HasScope holds', async (t) => {
      const ran = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.commands(COMMANDS, { maxCommands: 20, size: 'medium' }),
          async (commands) => {
            const users = [await newUser(cluster), await newUser(cluster)];
            // Each user starts with one token, so the first commands already have keys to change.
            const keys = await Promise.all(
              users.map((user, index) => seedKey(cluster, user, SCOPE_SETS[index + 1] ?? ['*'])),
            );
            await fc.asyncModelRun(
              () => ({ model: { users, keys, names: 0 }, real: { cluster, ran } }),
              commands,
            );
          },
        ),
        { numRuns: 20 },
      );
      t.diagnostic(`commands run: ${JSON.stringify(Object.fromEntries(ran))}`);
    });
  });
}

const postgres = new FreshDatabases('postgres');
after(() => postgres.dropAll());
lifecycleModel('PostgreSQL (LISTEN/NOTIFY)', async () => ({ url: (await postgres.create()).url }));

const mysql = new FreshDatabases('mysql');
after(() => mysql.dropAll());
lifecycleModel('MariaDB with Redis', async () => ({
  url: (await mysql.create()).url,
  redisUrl: REDIS_URL,
}));

const dir = mkdtempSync(join(tmpdir(), 'tessera-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));
lifecycleModel('a SQLite file with Redis', async () => ({
  url: `sqlite:${join(dir, 'db.sqlite3')}`,
  redisUrl: REDIS_URL,
}));
