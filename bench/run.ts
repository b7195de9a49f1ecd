// `npm run bench`: the whole suite. Throughput ratios under wrk (tessera against a bare
// route of the same app, per framework and store, and against peers), authenticate() in-process,
// scale and cache memory, and login figures; writes bench/results/latest.json and latest.svg and
// prints the tables. Figures drift on a shared machine: compare ratios measured in one run.
// Environment: BENCH_ROUNDS (9), BENCH_SECONDS (1), BENCH_CONNECTIONS (32),
// TESSERA_BENCH_POSTGRES_URL (postgres://root@127.0.0.1:5432/postgres).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  type AuthenticateFigures,
  authenticateFigures,
  type CacheMemoryFigures,
  cacheMemoryFigures,
  type LookupByStoreFigures,
  lookupByStoreFigures,
  type ScaleFigures,
  scaleFigures,
} from './authenticate.js';
import { benchDirectory } from './bench-directory.js';
import { installBetterAuth, peersDirectory } from './better-auth-peer.js';
import { type ForwardAuthFigures, forwardAuthFigures, forwardAuthTable } from './forward-auth.js';
import { type LoginFloodFigures, loginFlood } from './login-flood.js';
import { type LoginRateFigures, loginRate } from './login-rate.js';
import { type LoginTimingFigures, loginTiming } from './login-timing.js';
import { type ThroughputFigures, throughputFigures } from './throughput.js';
import { throughputChartSvg } from './throughput-chart.js';
import { type WorkersVersusDrfFigures, workersVersusDrf } from './workers-vs-drf.js';
import { ensureWrk } from './wrk.js';

const started = performance.now();
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const postgresAdminUrl =
  process.env.TESSERA_BENCH_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const method =
  `wrk, 1 thread, ${connections} connections, ${seconds} s runs, ${rounds} interleaved rounds, ` +
  'medians; server pinned to core 0, wrk to core 1';
const progress = (message: string) => console.log(`… ${message}`);

ensureWrk();
let betterAuthPeers: string | undefined;
let betterAuthVersions: string | undefined;
try {
  progress('better-auth (scratch install in bench/.peers)');
  betterAuthPeers = peersDirectory(benchDirectory());
  betterAuthVersions = installBetterAuth(betterAuthPeers);
} catch (error) {
  console.log(`better-auth could not be installed: ${(error as Error).message}`);
  betterAuthPeers = undefined;
}

const throughput: ThroughputFigures = await throughputFigures({
  rounds,
  seconds,
  warmupSeconds: 1,
  connections,
  serverCore: 0,
  loadCore: 1,
  postgresAdminUrl,
  onProgress: (label) => progress(`throughput: ${label}`),
  ...(betterAuthPeers ? { betterAuthPeers } : {}),
});
progress('forward auth: nginx auth_request and GET /auth/verify/');
const forwardAuth: ForwardAuthFigures = await forwardAuthFigures({
  rounds,
  seconds,
  warmupSeconds: 1,
  connections,
  serverCore: 0,
  loadCore: 1,
});
progress('tessera serve --workers 2 against DRF under gunicorn -w 2');
let workersDrf: WorkersVersusDrfFigures | { readonly error: string };
try {
  workersDrf = await workersVersusDrf({ rounds, seconds });
} catch (error) {
  workersDrf = { error: (error as Error).message };
}
progress('authenticate() in-process');
const authenticate: AuthenticateFigures = await authenticateFigures();
progress('authenticate() by store: SQLite and PostgreSQL, with and without the token cache');
let lookupByStore: LookupByStoreFigures | { readonly error: string };
try {
  lookupByStore = await lookupByStoreFigures(postgresAdminUrl);
} catch (error) {
  lookupByStore = { error: `PostgreSQL: ${(error as Error).message}` };
}
progress('scale: 1,000 / 100,000 / 1,000,000 tokens');
const scale: ScaleFigures = await scaleFigures();
progress('token cache memory');
const cacheMemory: CacheMemoryFigures = await cacheMemoryFigures();
progress('login: obtain-token rate');
const rate: LoginRateFigures = await loginRate();
progress('login: flood');
const flood: LoginFloodFigures = await loginFlood({ seconds: 5 });
progress('login: timing');
const timing: LoginTimingFigures = await loginTiming({ rounds: 10 });
const durationSeconds = (performance.now() - started) / 1000;

const results = {
  date,
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  method: { tool: 'wrk', threads: 1, connections, seconds, rounds, serverCore: 0, loadCore: 1 },
  peers: { betterAuth: betterAuthVersions ?? null },
  throughput,
  forwardAuth,
  workersDrf,
  authenticate,
  lookupByStore,
  scale,
  cacheMemory,
  login: { rate, flood, timing },
  durationSeconds: Math.round(durationSeconds),
};
const resultsDir = join(benchDirectory(), 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  join(resultsDir, 'latest.svg'),
  throughputChartSvg(throughput.groups, { date, machine, method }),
);

// The tables, in Markdown (the README's "Performance" section quotes them).
const lines: string[] = [];
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const whole = (value: number) => Math.round(value).toLocaleString('en');
const verdict = (met: boolean) => (met ? 'met' : '**missed**');
lines.push(`tessera benchmarks, ${date}: ${machine}`, `Throughput: ${method}.`, '');
lines.push(
  '| Throughput ratio | median (middle half of rounds) | goal | |',
  '| --- | --- | --- | --- |',
);
for (const row of throughput.rows) {
  const goal = row.goal === undefined ? '' : `≥ ${row.goal}`;
  const met = row.goal === undefined ? '' : verdict(row.ratio >= row.goal);
  lines.push(
    `| ${row.label} | ${fixed(row.ratio)} (${fixed(row.lowerQuartile)}–${fixed(row.upperQuartile)}) | ${goal} | ${met} |`,
  );
}
for (const missing of throughput.unmeasured) {
  lines.push(`| ${missing.label} | not measured: ${missing.error} | | |`);
}
lines.push(
  '',
  '| Server, variant | req/s | × bare | p99 ms | server CPU | wrk CPU |',
  '| --- | --- | --- | --- | --- | --- |',
);
for (const group of throughput.groups) {
  for (const variant of group.variants) {
    lines.push(
      `| ${group.label}: ${variant.label} | ${whole(variant.rps)} | ${fixed(variant.versusBare)} | ${fixed(variant.p99Ms)} | ${fixed(variant.serverCpu)} | ${fixed(variant.generatorCpu)} |`,
    );
  }
}
lines.push('', forwardAuthTable(forwardAuth));
lines.push(
  '',
  '| `tessera serve --workers 2` (as shipped) against DRF + `gunicorn -w 2` (sync, SQLite) | |',
  '| --- | --- |',
  'error' in workersDrf
    ? `| not measured | ${workersDrf.error} |`
    : `| req/s, tessera / DRF | ${whole(workersDrf.tesseraRps)} / ${whole(workersDrf.drfRps)}: ${fixed(workersDrf.ratio, 1)}× (goal ≥ 25: ${verdict(workersDrf.ratio >= 25)}) |`,
);
const bareNs = authenticate.bare.ns;
lines.push(
  '',
  `| In-process, SQLite, ${whole(authenticate.tokens)} tokens | ns/call | × bare |`,
  '| --- | --- | --- |',
);
for (const row of [
  authenticate.bare,
  authenticate.valid,
  authenticate.validCached,
  authenticate.badChecksum,
  authenticate.badGrammar,
  authenticate.unknown,
]) {
  lines.push(`| ${row.label} | ${whole(row.ns)} | ${fixed(row.ns / bareNs, 1)} |`);
}
if ('error' in lookupByStore) {
  lines.push('', `Valid-key authenticate() by store: not measured: ${lookupByStore.error}`);
} else {
  lines.push(
    '',
    `| Valid-key authenticate() by store, ${whole(lookupByStore.tokens)} tokens | ns/call |`,
    '| --- | --- |',
    ...lookupByStore.rows.map((row) => `| ${row.label} | ${whole(row.ns)} |`),
  );
}
lines.push(
  '',
  `| Valid-key authenticate() by store size, the same ${whole(scale.hotKeys)} hot keys | defaults (token cache), ns/call | uncached, ns/call |`,
  '| --- | --- | --- |',
  ...scale.sizes.map(
    (size, index) =>
      `| ${whole(size.tokens)} tokens | ${whole(size.ns)} | ${whole(scale.uncachedSizes[index]?.ns ?? Number.NaN)} |`,
  ),
  `| largest / smallest | ${fixed(scale.ratio)} (goal ≤ 1.2: ${verdict(scale.ratio <= 1.2)}) | ${fixed(scale.uncachedRatio)} |`,
);
lines.push(
  '',
  '| Token cache at its bound | |',
  '| --- | --- |',
  `| bound | ${whole(cacheMemory.maxEntries)} entries, ${whole(cacheMemory.maxBytes / 2 ** 20)} MiB |`,
  `| held after ${whole(cacheMemory.lookups)} distinct keys | ${whole(cacheMemory.entries)} entries |`,
  `| estimate (\`TokenCache.size.bytes\`) | ${fixed(cacheMemory.estimatedBytes / 2 ** 20)} MiB (${whole(cacheMemory.estimatedBytes / cacheMemory.entries)} B/entry) |`,
  `| measured heap growth | ${fixed(cacheMemory.heapBytes / 2 ** 20)} MiB (${whole(cacheMemory.heapBytes / cacheMemory.entries)} B/entry) |`,
);
lines.push(
  '',
  '| Login | |',
  '| --- | --- |',
  `| obtain-token, ${whole(rate.iterations)} PBKDF2 iterations, ${rate.clients} clients | ${fixed(rate.rps, 1)} req/s (p50 ${whole(rate.p50Ms)} ms) |`,
  `| build-trigger p99, idle / during a login flood | ${fixed(flood.idleP99Ms)} ms / ${fixed(flood.floodP99Ms)} ms (${fixed(flood.ratio, 1)}×; goal ≤ 3: ${verdict(flood.ratio <= 3)}) |`,
  `| login timing, unknown user / wrong password (goal within 10% of 1) | ${fixed(timing.freshRatio, 3)}; older hash ${fixed(timing.olderRatio, 3)} |`,
);
lines.push('', `Whole run: ${Math.round(durationSeconds)} s.`);
console.log(`\n${lines.join('\n')}`);
if (throughput.unmeasured.length > 0 || 'error' in lookupByStore) process.exitCode = 1;
