// Benchmark: obtain-token (POST /api-token-auth/ with a right password) requests per second at
// the shipped PBKDF2 iterations, the reference server in its own process, throttling off.
// Run through `npm run bench`; `loginRate` returns the figures.
import { startBenchServer } from './bench-server.js';
import { closedLoop, percentile, statusCounts } from './http-load.js';

/** Options of `loginRate`. */
export interface LoginRateOptions {
  /** Seconds measured. Default 6. */
  readonly seconds?: number;
  /** Concurrent clients logging in. Default 4 (twice the shipped `passwordConcurrency`). */
  readonly clients?: number;
  /** PBKDF2 iterations. Default 1,000,000 (Django 5.2's and tessera's). */
  readonly iterations?: number;
}

/** What `loginRate` measured. */
export interface LoginRateFigures {
  readonly iterations: number;
  readonly clients: number;
  readonly seconds: number;
  readonly logins: number;
  readonly rps: number;
  readonly p50Ms: number;
}

/** Logs in again and again with the right password and counts the tokens issued per second. */
export async function loginRate(options: LoginRateOptions = {}): Promise<LoginRateFigures> {
  const iterations = options.iterations ?? 1_000_000;
  const clients = options.clients ?? 4;
  const seconds = options.seconds ?? 6;
  const server = await startBenchServer({ iterations, olderIterations: iterations });
  try {
    const login = {
      method: 'POST',
      path: '/api-token-auth/',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username":"alice","password":"alice-password"}',
    };
    await closedLoop(server.url, login, clients, 1000); // warm-up
    const started = performance.now();
    const results = await closedLoop(server.url, login, clients, seconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    if (!results.every((result) => result.status === 200)) {
      throw new Error(
        `obtain-token did not always answer 200: ${JSON.stringify(statusCounts(results))}`,
      );
    }
    return {
      iterations,
      clients,
      seconds: elapsed,
      logins: results.length,
      rps: results.length / elapsed,
      p50Ms: percentile(
        results.map((result) => result.ms),
        50,
      ),
    };
  } finally {
    await server.close();
  }
}
