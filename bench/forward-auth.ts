// Forward auth under wrk: a backend route through Debian's nginx with the documented
// `auth_request` to tessera's GET /auth/verify/, against the same route through nginx without it;
// and GET /auth/verify/ alone against a bare route of the same server. Interleaved rounds,
// per-round ratios, medians. The server and nginx share core 0; wrk runs on core 1.
// Run alone: `node --import tsx bench/forward-auth.ts` (BENCH_ROUNDS, BENCH_SECONDS,
// BENCH_CONNECTIONS as `npm run bench`). The server itself is this file with
// TESSERA_FORWARD_AUTH_BENCH_SERVER set.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../src/core/config/settings.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import { systemClock } from '../src/core/time/clock.js';
import { issueDefaultToken } from '../src/core/tokens/token-issuer.js';
import { createUser } from '../src/core/users/users.js';
import { buildServer } from '../src/server/app.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';
import { documentedNginxConfig } from '../test/forward-auth/support/documented-config.js';
import { freePort, NginxProcess, nginxBinary } from '../test/forward-auth/support/nginx-process.js';
import { median, pairedRatio, type VariantRuns } from './interleaved-load.js';
import { ensureWrk, runWrk, type WrkRequest, type WrkRun } from './wrk.js';

const SERVER_MODE = 'TESSERA_FORWARD_AUTH_BENCH_SERVER';

/** What the bench server prints once it listens. */
interface ServerReady {
  readonly port: number;
  readonly key: string;
}

// The reference server as shipped (limits on, last-used recording on, the token cache on; its
// own paths, /auth/verify/ among them, answered before Fastify routes them), plus the backend's
// routes on the same app, so the backend costs the same with and without the check.
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-forward-auth-bench-'));
  const filename = join(dir, 'db.sqlite3');
  const settings: TesseraSettings = {
    ...DEFAULT_SETTINGS,
    numProxies: 1,
    logLevel: 'warn',
  };
  const store = openSqliteStore({ filename });
  await store.migrate();
  const passwords = new PasswordHasher({ iterations: 1000 });
  const user = await createUser(store, passwords, systemClock, { username: 'bench' });
  const { key } = await issueDefaultToken(store, user.id, systemClock);
  const app = await buildServer({ store, settings, passwords });
  // The backend behind nginx: an empty 200, as the bare route of bench/throughput.ts.
  for (const path of ['/public/*', '/orders/*'])
    app.get(path, async (_request, reply) => reply.send());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const ready: ServerReady = { port, key };
  console.log(`READY ${JSON.stringify(ready)}`);
  const stop = async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', stop);
}

/** One ratio of the figures: the median per-round ratio and the middle half of the rounds. */
export interface ForwardAuthRatio {
  readonly label: string;
  readonly ratio: number;
  readonly lowerQuartile: number;
  readonly upperQuartile: number;
  readonly ratios: readonly number[];
}

/** One measured variant: medians over its runs. */
export interface ForwardAuthVariant {
  readonly label: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly runs: readonly number[];
}

/** What `forwardAuthFigures` measured. */
export interface ForwardAuthFigures {
  readonly nginx: string;
  readonly variants: readonly ForwardAuthVariant[];
  readonly ratios: readonly ForwardAuthRatio[];
}

/** Options of `forwardAuthFigures`. */
export interface ForwardAuthOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly serverCore: number;
  readonly loadCore: number;
}

interface Variant {
  readonly label: string;
  readonly request: WrkRequest;
}

function nginxVersion(): string {
  // `nginx -v` prints `nginx version: nginx/1.22.1` on stderr.
  const result = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' });
  return /nginx\/[\w.]+/.exec(`${result.stderr}${result.stdout}`)?.[0] ?? 'nginx';
}

/** Starts the bench server pinned to `core`; resolves once it listens. */
async function startServer(core: number) {
  const child = spawn(
    'taskset',
    ['-c', String(core), process.execPath, '--import', 'tsx', new URL(import.meta.url).pathname],
    { env: { ...process.env, [SERVER_MODE]: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = text.split('\n').find((entry) => entry.startsWith('READY '));
      if (line) resolve(JSON.parse(line.slice('READY '.length)) as ServerReady);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}): ${text}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  return { ...ready, pid: child.pid as number, stop };
}

/**
 * Throughput of a backend route through nginx with the auth subrequest against the same route
 * without it, and of GET /auth/verify/ alone against a bare route, interleaved (A B C D, D C B A,
 * …); wrk fails the run on any answer but 2xx, so a refusal cannot look fast.
 */
export async function forwardAuthFigures(options: ForwardAuthOptions): Promise<ForwardAuthFigures> {
  const server = await startServer(options.serverCore);
  const listenPort = await freePort();
  const nginx = await NginxProcess.start(
    documentedNginxConfig({ listenPort, tesseraPort: server.port, backendPort: server.port }),
    listenPort,
    options.serverCore,
  );
  try {
    const authorization = { Authorization: `Token ${server.key}` };
    const proxy = `http://127.0.0.1:${listenPort}`;
    const direct = `http://127.0.0.1:${server.port}`;
    const variants: Variant[] = [
      {
        label: 'nginx, auth_request to tessera',
        request: { url: `${proxy}/orders/1`, method: 'GET', headers: authorization },
      },
      {
        label: 'nginx, same route unguarded',
        request: { url: `${proxy}/public/1`, method: 'GET', headers: authorization },
      },
      {
        label: 'GET /auth/verify/ alone',
        request: { url: `${direct}/auth/verify/`, method: 'GET', headers: authorization },
      },
      {
        label: 'bare route, same server',
        request: { url: `${direct}/public/1`, method: 'GET', headers: authorization },
      },
    ];
    const run = (variant: Variant, seconds: number) =>
      runWrk(variant.request, {
        seconds,
        connections: options.connections,
        core: options.loadCore,
        serverPid: server.pid,
      });
    for (const variant of variants) await run(variant, options.warmupSeconds);
    const runs: WrkRun[][] = variants.map(() => []);
    const order = variants.map((_, index) => index);
    for (let round = 0; round < options.rounds; round++) {
      for (const index of round % 2 === 0 ? order : [...order].reverse()) {
        runs[index]?.push(await run(variants[index] as Variant, options.seconds));
      }
    }
    const labelled: VariantRuns[] = variants.map((variant, index) => ({
      label: variant.label,
      runs: runs[index] ?? [],
    }));
    const ratio = (label: string, a: number, b: number): ForwardAuthRatio => {
      const paired = pairedRatio(labelled[a] as VariantRuns, labelled[b] as VariantRuns);
      return {
        label,
        ratio: paired.median,
        lowerQuartile: paired.lowerQuartile,
        upperQuartile: paired.upperQuartile,
        ratios: paired.ratios,
      };
    };
    return {
      nginx: nginxVersion(),
      variants: labelled.map(({ label, runs: measured }) => ({
        label,
        rps: median(measured.map((entry) => entry.rps)),
        p50Ms: median(measured.map((entry) => entry.p50Ms)),
        p99Ms: median(measured.map((entry) => entry.p99Ms)),
        runs: measured.map((entry) => Math.round(entry.rps)),
      })),
      ratios: [
        ratio('through nginx: with auth_request / without', 0, 1),
        ratio('GET /auth/verify/ / bare route', 2, 3),
      ],
    };
  } finally {
    await nginx.stop();
    await server.stop();
  }
}

/** The figures as Markdown tables. */
export function forwardAuthTable(figures: ForwardAuthFigures): string {
  const fixed = (value: number) => value.toFixed(2);
  return [
    `| Forward auth (${figures.nginx}) | req/s | p50 ms | p99 ms |`,
    '| --- | --- | --- | --- |',
    ...figures.variants.map(
      (variant) =>
        `| ${variant.label} | ${Math.round(variant.rps).toLocaleString('en')} | ${fixed(variant.p50Ms)} | ${fixed(variant.p99Ms)} |`,
    ),
    '',
    '| Forward auth ratio | median (middle half of rounds) |',
    '| --- | --- |',
    ...figures.ratios.map(
      (row) =>
        `| ${row.label} | ${fixed(row.ratio)} (${fixed(row.lowerQuartile)}–${fixed(row.upperQuartile)}) |`,
    ),
  ].join('\n');
}

if (process.env[SERVER_MODE]) {
  await serve();
} else if (process.argv[1] === new URL(import.meta.url).pathname) {
  ensureWrk();
  const figures = await forwardAuthFigures({
    rounds: Number(process.env.BENCH_ROUNDS ?? 9),
    seconds: Number(process.env.BENCH_SECONDS ?? 1),
    warmupSeconds: 1,
    connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
    serverCore: 0,
    loadCore: 1,
  });
  console.log(JSON.stringify(figures));
  console.log(`\n${forwardAuthTable(figures)}`);
}
