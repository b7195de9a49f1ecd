// Part of `npm run bench`'s throughput comparisons, by group id, for checking one change:
//   node --import tsx bench/throughput-part.ts serve-shipped [fastify-sqlite-cache …]
// Environment as `npm run bench` (BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS).
import { throughputFigures } from './throughput.js';
import { ensureWrk } from './wrk.js';

const groups = process.argv.slice(2);
if (groups.length === 0) throw new Error('name one or more group ids, e.g. serve-shipped');
ensureWrk();
const figures = await throughputFigures({
  rounds: Number(process.env.BENCH_ROUNDS ?? 9),
  seconds: Number(process.env.BENCH_SECONDS ?? 1),
  warmupSeconds: 1,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  serverCore: 0,
  loadCore: 1,
  postgresAdminUrl:
    process.env.TESSERA_BENCH_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres',
  groups,
  onProgress: (label) => console.log(`… ${label}`),
});
for (const group of figures.groups) {
  for (const variant of group.variants) {
    console.log(
      `${group.label}: ${variant.label}: ${Math.round(variant.rps)} req/s, ${variant.versusBare.toFixed(2)}x bare, p99 ${variant.p99Ms.toFixed(2)} ms, runs ${variant.runs.join(' ')}`,
    );
  }
}
for (const row of figures.rows) {
  const goal =
    row.goal === undefined
      ? ''
      : ` (goal ≥ ${row.goal}: ${row.ratio >= row.goal ? 'met' : 'missed'})`;
  console.log(
    `${row.label}: ${row.ratio.toFixed(3)} [${row.lowerQuartile.toFixed(2)}–${row.upperQuartile.toFixed(2)}]${goal}`,
  );
}
for (const missing of figures.unmeasured)
  console.log(`${missing.label}: not measured: ${missing.error}`);
