import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { mountView } from '../../src/adapters/fastify.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import {
  DEFAULT_SETTINGS,
  settingsOwnedBy,
  type TesseraSettings,
  THROTTLING_OFF,
} from '../../src/core/config/settings.js';
import { defineView } from '../../src/core/http/view.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { createTessera } from '../../src/core/tessera.js';
import { systemClock } from '../../src/core/time/clock.js';
import { HasScope } from '../../src/core/tokens/scopes.js';
import type { TokenManagementContext } from '../../src/core/tokens/token-management.js';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/stores/open-store.js';

/** The scope `/scoped/` asks for with `HasScope`. */
export const TRIGGER_SCOPE = 'builds:trigger';

// A TTL far beyond the test's 1 s bound: only an invalidation can make a node refuse in time.
const CACHE_SECONDS = 60;

/** One reference server in this process, with its own store connection and token cache. */
export interface ClusterNode {
  readonly url: string;
  readonly app: FastifyInstance;
}

/**
 * The reference server plus two probes: `GET /whoami/` (IsAuthenticated) answers the token's id
 * and scopes as the node saw them; `POST /scoped/` needs `HasScope('builds:trigger')`.
 */
async function startNode(databaseUrl: string, redisUrl: string | undefined): Promise<ClusterNode> {
  const settings: TesseraSettings = {
    ...DEFAULT_SETTINGS,
    ...THROTTLING_OFF,
    databaseUrl,
    passwordIterations: 1000,
    tokenCacheSeconds: CACHE_SECONDS,
  };
  const store = await openStore(databaseUrl, { redisUrl });
  const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });
  const app = await buildServer({ store, settings, tessera, logger: false });
  app.addHook('onClose', () => store.close());
  const authentication = [tessera.tokenAuthentication];
  mountView(
    app,
    '/whoami/',
    defineView({
      name: 'Who Am I',
      authentication,
      permissions: [IsAuthenticated],
      get: (request) => ({
        data: { token: request.auth?.id ?? null, scopes: request.auth?.scopes ?? null },
      }),
    }),
  );
  mountView(
    app,
    '/scoped/',
    defineView({
      name: 'Scoped',
      authentication,
      permissions: [IsAuthenticated, HasScope(TRIGGER_SCOPE)],
      post: () => {},
    }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app };
}

/**
 * Two server nodes and an operator's CLI connection on one database, every token cache on and
 * invalidations carried by the store's channel (PostgreSQL NOTIFY, or Redis when given).
 */
export class Cluster {
  readonly passwords = new PasswordHasher({ iterations: 1000 });

  private constructor(
    readonly nodes: readonly ClusterNode[],
    /** What `tessera tokens …` and `tessera users …` work with: a store of their own. */
    readonly cli: TokenManagementContext & { readonly store: Store },
  ) {}

  static async start(databaseUrl: string, redisUrl?: string): Promise<Cluster> {
    const store = await openStore(databaseUrl, { redisUrl });
    await store.migrate();
    const nodes = [await startNode(databaseUrl, redisUrl), await startNode(databaseUrl, redisUrl)];
    return new Cluster(nodes, { store, clock: systemClock });
  }

  async close(): Promise<void> {
    for (const node of this.nodes) await node.app.close();
    await this.cli.store.close();
  }
}

/** One HTTP answer: status and body text. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Sends one request with a token to a node. */
export async function call(
  node: ClusterNode,
  method: string,
  path: string,
  key: string,
  json?: unknown,
): Promise<Answer> {
  const response = await fetch(new URL(path, node.url), {
    method,
    headers: {
      Authorization: `Token ${key}`,
      ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: response.status, body: await response.text() };
}
