// Profiles one route of a throughput server: runs it under `node --cpu-prof` (compiled, as
// `npm run bench` runs it), loads the route with wrk, and prints where the server's time went.
// Run: npm run bench:profile -- [route] [framework] [cache]
//   e.g. npm run bench:profile -- tessera fastify cache   (route: tessera, bare, bearer-auth)
//   npm run bench:profile -- tessera shipped   (`tessera serve` as shipped; BENCH_ACCESS_LOG=on
//   adds its access log)
// The .cpuprofile stays in bench/results/profiles/ (gitignored) for Chrome DevTools.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchDirectory } from './bench-directory.js';
import { type CpuProfile, summarizeProfile } from './cpu-profile-summary.js';
import { startThroughputServer, type ThroughputServerConfig } from './throughput-server.js';
import { ensureWrk, runWrk } from './wrk.js';

const route = process.argv[2] ?? 'tessera';
const shipped = process.argv[3] === 'shipped';
const config: ThroughputServerConfig = shipped
  ? {
      framework: 'fastify',
      tokenCacheSeconds: null,
      shipped: { accessLog: process.env.BENCH_ACCESS_LOG === 'on' },
    }
  : {
      framework: (process.argv[3] ?? 'fastify') as ThroughputServerConfig['framework'],
      tokenCacheSeconds: process.argv[4] === 'cache' ? 60 : null,
      bearerAuth: true,
    };
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const dir = join(benchDirectory(), 'results', 'profiles');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
ensureWrk();
const server = await startThroughputServer(config, 0, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
const served = server.routes[route];
if (!served) throw new Error(`no route ${route}: ${Object.keys(server.routes).join(', ')}`);
const request = {
  url: new URL(served.path, server.url).href,
  method: 'POST',
  headers: served.headers,
};
const wrk = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  core: 1,
  serverPid: server.pid,
};
await runWrk(request, { ...wrk, seconds: 2 }); // warm-up
const run = await runWrk(request, { ...wrk, seconds });
await server.close();
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error('the server wrote no profile');
const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
console.log(
  `${route} on ${shipped ? 'tessera serve as shipped' : config.framework}${config.tokenCacheSeconds ? ' with the token cache' : ''}: ` +
    `${Math.round(run.rps)} requests/s under profiling; profile ${join(dir, file)}`,
);
console.log('  self%  total%  function');
for (const row of summary.slice(0, Number(process.env.BENCH_TOP ?? 40))) {
  console.log(
    `${(row.self * 100).toFixed(1).padStart(7)} ${(row.total * 100).toFixed(1).padStart(7)}  ${row.name}`,
  );
}
