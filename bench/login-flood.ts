// Benchmark: the p99 latency of token-authenticated requests (POST /api/build-trigger/) while a
// flood of concurrent logins hits POST /api-token-auth/, beside their p99 when the server is idle.
// The reference server runs in its own process, as shipped (1,000,000 PBKDF2 iterations, 2 hashes
// at once, 16 waiting), with the failure limits off so the flood reaches the password hasher.
// Run: npm run bench:login-flood   (about 25 s; BENCH_SECONDS, BENCH_FLOOD_CLIENTS, BENCH_ITERATIONS,
// and BENCH_SETTINGS, JSON over the defaults, e.g. '{"passwordConcurrency":1}' to compare)
import { pathToFileURL } from 'node:url';
import { startBenchServer } from './bench-server.js';
import { closedLoop, percentile, statusCounts, type Timed } from './http-load.js';

/** Options of `loginFlood`. */
export interface LoginFloodOptions {
  /** Seconds each phase (idle, flood) measures. Default 8. */
  readonly seconds?: number;
  /** Concurrent clients sending wrong passwords. Default 64. */
  readonly floodClients?: number;
  /** Concurrent clients calling build-trigger with a valid key. Default 4. */
  readonly apiClients?: number;
  /** PBKDF2 iterations. Default 1,000,000 (Django 5.2's). */
  readonly iterations?: number;
  /** Server settings over the defaults, e.g. `{ passwordConcurrency: 1 }`. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** What `loginFlood` measured; times in milliseconds. */
export interface LoginFloodFigures {
  readonly idleP99Ms: number;
  readonly floodP99Ms: number;
  /** `floodP99Ms / idleP99Ms`. */
  readonly ratio: number;
  readonly idleRequests: number;
  readonly floodRequests: number;
  /** Login answers during the flood, by status (400: refused after a hash; 503: queue full). */
  readonly logins: Readonly<Record<number, number>>;
}

function refuseThrottled(label: string, results: readonly Timed[]): void {
  if (results.some((result) => result.status === 429)) throw new Error(`${label}: a 429 answer`);
}

/** Runs the benchmark and returns its figures (it prints nothing). */
export async function loginFlood(options: LoginFloodOptions = {}): Promise<LoginFloodFigures> {
  const ms = (options.seconds ?? 8) * 1000;
  const apiClients = options.apiClients ?? 4;
  const server = await startBenchServer({
    iterations: options.iterations ?? 1_000_000,
    olderIterations: 260_000,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  try {
    const trigger = {
      method: 'POST',
      path: '/api/build-trigger/',
      headers: { Authorization: `Token ${server.key}` },
    };
    const login = {
      method: 'POST',
      path: '/api-token-auth/',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username":"alice","password":"not-her-password"}',
    };
    await closedLoop(server.url, trigger, apiClients, 1000); // warm-up
    const idle = await closedLoop(server.url, trigger, apiClients, ms);
    const ramp = 500;
    const flood = closedLoop(server.url, login, options.floodClients ?? 64, ms + 2 * ramp);
    await new Promise((resolve) => setTimeout(resolve, ramp));
    const during = await closedLoop(server.url, trigger, apiClients, ms);
    const logins = await flood;
    for (const [label, results] of [
      ['idle', idle],
      ['during the flood', during],
      ['logins', logins],
    ] as const) {
      refuseThrottled(label, results);
    }
    if (![...idle, ...during].every((result) => result.status === 200)) {
      throw new Error(
        `build-trigger did not always answer 200: ${JSON.stringify(statusCounts(during))}`,
      );
    }
    const idleP99Ms = percentile(
      idle.map((result) => result.ms),
      99,
    );
    const floodP99Ms = percentile(
      during.map((result) => result.ms),
      99,
    );
    return {
      idleP99Ms,
      floodP99Ms,
      ratio: floodP99Ms / idleP99Ms,
      idleRequests: idle.length,
      floodRequests: during.length,
      logins: statusCounts(logins),
    };
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 1_000_000);
  const figures = await loginFlood({
    seconds,
    iterations,
    floodClients: Number(process.env.BENCH_FLOOD_CLIENTS ?? 64),
    ...(process.env.BENCH_SETTINGS ? { settings: JSON.parse(process.env.BENCH_SETTINGS) } : {}),
  });
  console.log(
    `login flood: ${iterations.toLocaleString('en')} PBKDF2 iterations, ${seconds} s per phase (node ${process.version})`,
  );
  console.log(
    `build-trigger p99 idle        ${figures.idleP99Ms.toFixed(2).padStart(8)} ms  (${figures.idleRequests} requests)`,
  );
  console.log(
    `build-trigger p99 under flood ${figures.floodP99Ms.toFixed(2).padStart(8)} ms  (${figures.floodRequests} requests)  ${figures.ratio.toFixed(1)}x idle`,
  );
  console.log(`logins during the flood, by status: ${JSON.stringify(figures.logins)}`);
}
