// Throughput of the seed's POST /api/build-trigger/ through tessera against a bare route of the
// same app, per framework and store, and against peers (@fastify/bearer-auth, better-auth's
// API keys): each comparison interleaved (A B A B …) under wrk, medians reported.
import {
  type InterleavedLoadOptions,
  interleavedLoad,
  type LoadVariant,
  median,
  pairedRatio,
  runsOf,
  type VariantRuns,
} from './interleaved-load.js';
import { type BenchDatabase, createBenchDatabase } from './postgres-database.js';
import {
  startThroughputServer,
  type ThroughputServer,
  type ThroughputServerConfig,
} from './throughput-server.js';

/** Options of `throughputFigures`. */
export interface ThroughputOptions extends InterleavedLoadOptions {
  /** Where better-auth is installed; without it the better-auth row is not measured. */
  readonly betterAuthPeers?: string;
  /** The PostgreSQL server a `tessera_bench_<random>` database is made on (and dropped). */
  readonly postgresAdminUrl: string;
  /** The core the servers are pinned to (wrk runs on `loadCore`). */
  readonly serverCore: number;
  /** Told when each comparison starts, for progress lines. */
  readonly onProgress?: (message: string) => void;
  /** Only the groups with these ids (e.g. `serve-shipped`); default every group. */
  readonly groups?: readonly string[];
}

/** One measured variant: medians over its runs. */
export interface VariantFigures {
  readonly label: string;
  readonly rps: number;
  readonly p99Ms: number;
  /** wrk's CPU use, as a share of one core. */
  readonly generatorCpu: number;
  /** The server's CPU use, as a share of one core. */
  readonly serverCpu: number;
  /** Requests per second of every run, in round order. */
  readonly runs: readonly number[];
  /** The median of the per-round ratios to the group's bare route (1 for the bare route). */
  readonly versusBare: number;
}

/** The variants loaded together (interleaved), e.g. tessera and bare on one server. */
export interface ComparisonGroup {
  readonly id: string;
  readonly label: string;
  readonly variants: readonly VariantFigures[];
}

/** One ratio: `numerator` over `denominator` requests per second, paired by round. */
export interface RatioRow {
  readonly id: string;
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  /** Median of the per-round ratios, their quartiles and extremes, and every one. */
  readonly ratio: number;
  readonly lowerQuartile: number;
  readonly upperQuartile: number;
  readonly min: number;
  readonly max: number;
  readonly ratios: readonly number[];
  /** The ratio the issue asks for, when it sets one. */
  readonly goal?: number;
}

/** A comparison that could not be measured (e.g. PostgreSQL unreachable). */
export interface Unmeasured {
  readonly id: string;
  readonly label: string;
  readonly error: string;
}

/** Every throughput figure of one run. */
export interface ThroughputFigures {
  readonly groups: readonly ComparisonGroup[];
  readonly rows: readonly RatioRow[];
  readonly unmeasured: readonly Unmeasured[];
}

/** A ratio to compute from a group's runs. */
interface RatioSpec {
  readonly id: string;
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly goal?: number;
}

/** A group of variants on servers started for it alone. */
interface GroupSpec {
  readonly id: string;
  readonly label: string;
  readonly servers: readonly ThroughputServerConfig[];
  /** Variant label, index into `servers`, route name. */
  readonly variants: readonly (readonly [string, number, string])[];
  readonly ratios: readonly RatioSpec[];
}

/** The variant through tessera (the seed's route as the reference server mounts it). */
export const TESSERA = 'tessera';
/** The same app's route answering the same 200 with no authentication: the ceiling. */
export const BARE = 'bare route';
/** A route behind `@fastify/bearer-auth` with a static key set. */
export const BEARER_AUTH = '@fastify/bearer-auth';
/** A route behind better-auth's API-key verification on SQLite. */
export const BETTER_AUTH = 'better-auth API key';

function figures(variant: VariantRuns, bare: VariantRuns | undefined): VariantFigures {
  return {
    label: variant.label,
    rps: median(variant.runs.map((run) => run.rps)),
    p99Ms: median(variant.runs.map((run) => run.p99Ms)),
    generatorCpu: median(variant.runs.map((run) => run.generatorCpu)),
    serverCpu: median(variant.runs.map((run) => run.serverCpu)),
    runs: variant.runs.map((run) => Math.round(run.rps)),
    versusBare: bare ? pairedRatio(variant, bare).median : Number.NaN,
  };
}

function sqliteGroups(betterAuthPeers: string | undefined): GroupSpec[] {
  const vsBare = (id: string, label: string, goal?: number): RatioSpec => ({
    id,
    label,
    numerator: TESSERA,
    denominator: BARE,
    ...(goal === undefined ? {} : { goal }),
  });
  const withBetterAuth = betterAuthPeers !== undefined;
  return [
    {
      id: 'fastify-sqlite',
      label: 'Fastify, SQLite',
      // better-auth runs in a server of its own: a route that slow leaves collection and
      // compilation work behind, which would land on whichever variant ran next in its process.
      servers: [
        { framework: 'fastify', tokenCacheSeconds: null, bearerAuth: true },
        ...(withBetterAuth
          ? [{ framework: 'fastify' as const, tokenCacheSeconds: null, betterAuthPeers }]
          : []),
      ],
      variants: [
        [TESSERA, 0, 'tessera'],
        [BARE, 0, 'bare'],
        [BEARER_AUTH, 0, 'bearer-auth'],
        ...(withBetterAuth ? [[BETTER_AUTH, 1, 'better-auth'] as const] : []),
      ],
      ratios: [
        vsBare('fastify-sqlite', 'Fastify, SQLite: tessera / bare', 0.85),
        {
          id: 'bearer-auth',
          label: 'tessera (SQLite) / @fastify/bearer-auth (static keys)',
          numerator: TESSERA,
          denominator: BEARER_AUTH,
          goal: 1,
        },
        {
          id: 'bearer-auth-bare',
          label: '@fastify/bearer-auth / bare',
          numerator: BEARER_AUTH,
          denominator: BARE,
        },
        ...(withBetterAuth
          ? [
              {
                id: 'better-auth',
                label: 'tessera (SQLite) / better-auth API key (SQLite)',
                numerator: TESSERA,
                denominator: BETTER_AUTH,
                goal: 100,
              },
            ]
          : []),
      ],
    },
    {
      id: 'fastify-sqlite-cache',
      label: 'Fastify, SQLite, token cache',
      servers: [{ framework: 'fastify', tokenCacheSeconds: 60, bearerAuth: true }],
      variants: [
        [TESSERA, 0, 'tessera'],
        [BARE, 0, 'bare'],
        [BEARER_AUTH, 0, 'bearer-auth'],
      ],
      ratios: [
        vsBare('fastify-sqlite-cache', 'Fastify, SQLite, token cache: tessera / bare', 0.9),
        {
          id: 'bearer-auth-cache',
          label: 'tessera (SQLite, token cache) / @fastify/bearer-auth (static keys)',
          numerator: TESSERA,
          denominator: BEARER_AUTH,
          goal: 1,
        },
      ],
    },
  ];
}

/** The variant `tessera serve` as shipped: every setting its default. */
export const SHIPPED = 'tessera serve, defaults';
/** The same server with only `TESSERA_ACCESS_LOG=on`: one log line per request. */
export const SHIPPED_LOGGED = 'tessera serve, access log on';

/**
 * What users meet: `tessera serve` with no settings (SQLite; the token cache, logging and limits
 * as shipped) against a bare Fastify route; and the same with the access log on, which says what
 * its per-request line costs.
 */
function shippedGroup(): GroupSpec {
  return {
    id: 'serve-shipped',
    label: 'tessera serve as shipped (SQLite, defaults)',
    servers: [
      { framework: 'fastify', tokenCacheSeconds: null, shipped: {} },
      { framework: 'fastify', tokenCacheSeconds: null, shipped: { accessLog: true } },
    ],
    variants: [
      [SHIPPED, 0, 'tessera'],
      [SHIPPED_LOGGED, 1, 'tessera'],
      [BARE, 0, 'bare'],
    ],
    ratios: [
      {
        id: 'serve-shipped',
        label: 'tessera serve as shipped / bare Fastify route',
        numerator: SHIPPED,
        denominator: BARE,
        goal: 0.85,
      },
      {
        id: 'serve-shipped-access-log',
        label: 'tessera serve, access log on / bare Fastify route',
        numerator: SHIPPED_LOGGED,
        denominator: BARE,
      },
      {
        id: 'serve-shipped-log-cost',
        label: 'tessera serve, access log on / as shipped (the per-request line)',
        numerator: SHIPPED_LOGGED,
        denominator: SHIPPED,
      },
    ],
  };
}

function adapterGroups(): GroupSpec[] {
  return (['express', 'hono'] as const).map((framework) => {
    const name = framework === 'express' ? 'Express' : 'Hono';
    return {
      id: `${framework}-sqlite`,
      label: `${name}, SQLite`,
      servers: [{ framework, tokenCacheSeconds: null }],
      variants: [
        [TESSERA, 0, 'tessera'],
        [BARE, 0, 'bare'],
      ],
      ratios: [
        {
          id: `${framework}-sqlite`,
          label: `${name}, SQLite: tessera / bare`,
          numerator: TESSERA,
          denominator: BARE,
        },
      ],
    };
  });
}

/** The seed's route on PostgreSQL, with the token cache (`withCache`) or reading every request. */
function postgresGroup(url: string, withCache: boolean): GroupSpec {
  const id = withCache ? 'fastify-postgres-cache' : 'fastify-postgres';
  const label = withCache ? 'Fastify, PostgreSQL, token cache' : 'Fastify, PostgreSQL';
  return {
    id,
    label,
    servers: [{ framework: 'fastify', tokenCacheSeconds: withCache ? 60 : null, databaseUrl: url }],
    variants: [
      [TESSERA, 0, 'tessera'],
      [BARE, 0, 'bare'],
    ],
    ratios: [
      {
        id,
        label: `${label}: tessera / bare`,
        numerator: TESSERA,
        denominator: BARE,
        ...(withCache ? { goal: 0.85 } : {}),
      },
    ],
  };
}

/** Runs every throughput comparison, one group of servers at a time, and returns the ratios. */
export async function throughputFigures(options: ThroughputOptions): Promise<ThroughputFigures> {
  const groups: ComparisonGroup[] = [];
  const rows: RatioRow[] = [];
  const unmeasured: Unmeasured[] = [];
  const measuring = (id: string) => options.groups === undefined || options.groups.includes(id);

  async function measure(spec: GroupSpec): Promise<void> {
    if (!measuring(spec.id)) return;
    options.onProgress?.(spec.label);
    const servers: ThroughputServer[] = [];
    try {
      for (const config of spec.servers) {
        servers.push(await startThroughputServer(config, options.serverCore));
      }
      const variants: LoadVariant[] = spec.variants.map(([label, server, route]) => ({
        label,
        server: servers[server] as ThroughputServer,
        route,
      }));
      const results = await interleavedLoad(variants, options);
      const bare = results.find((result) => result.label === BARE);
      groups.push({
        id: spec.id,
        label: spec.label,
        variants: results.map((result) => figures(result, bare)),
      });
      for (const ratio of spec.ratios) {
        const paired = pairedRatio(
          runsOf(results, ratio.numerator),
          runsOf(results, ratio.denominator),
        );
        rows.push({
          ...ratio,
          ratio: paired.median,
          lowerQuartile: paired.lowerQuartile,
          upperQuartile: paired.upperQuartile,
          min: paired.min,
          max: paired.max,
          ratios: paired.ratios.map((value) => Math.round(value * 1000) / 1000),
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      unmeasured.push({ id: spec.id, label: spec.label, error: message });
    } finally {
      for (const server of servers) await server.close();
    }
  }

  if (options.betterAuthPeers === undefined && measuring('fastify-sqlite')) {
    unmeasured.push({
      id: 'better-auth',
      label: 'tessera (SQLite) / better-auth API key (SQLite)',
      error: 'better-auth is not installed',
    });
  }
  await measure(shippedGroup());
  for (const spec of sqliteGroups(options.betterAuthPeers)) await measure(spec);
  // Each PostgreSQL group gets a database of its own, since its server creates the same user.
  for (const withCache of [false, true]) {
    if (!measuring(postgresGroup('', withCache).id)) continue;
    let database: BenchDatabase | undefined;
    try {
      database = await createBenchDatabase(options.postgresAdminUrl);
    } catch (error) {
      const { id, label } = postgresGroup('', withCache);
      const address = new URL(options.postgresAdminUrl).host;
      unmeasured.push({
        id,
        label,
        error: `PostgreSQL at ${address}: ${(error as Error).message}`,
      });
      continue;
    }
    try {
      await measure(postgresGroup(database.url, withCache));
    } finally {
      await database.drop();
    }
  }
  for (const spec of adapterGroups()) await measure(spec);
  return { groups, rows, unmeasured };
}
