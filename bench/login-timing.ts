// Benchmark: can response time tell an unknown username from a wrong password? Prints the ratio
// of median obtain-token times, unknown user over wrong password, for a user hashed at the
// current count and for one whose hash has fewer iterations (goal: both within 10% of 1).
// The reference server runs in its own process at 1,000,000 PBKDF2 iterations, throttling off.
// Run: npm run bench:login-timing   (about 40 s; BENCH_ROUNDS, BENCH_ITERATIONS)
import { randomBytes, randomInt } from 'node:crypto';
import { Agent } from 'node:http';
import { pathToFileURL } from 'node:url';
import { startBenchServer } from './bench-server.js';
import { percentile, timedRequest } from './http-load.js';

/** Options of `loginTiming`. */
export interface LoginTimingOptions {
  /** Rounds of the three kinds of failed login, in shuffled order. Default 25. */
  readonly rounds?: number;
  /** PBKDF2 iterations of the server. Default 1,000,000. */
  readonly iterations?: number;
  /** Iterations of the older user's hash. Default 26% of `iterations` (Django 3.2's 260,000). */
  readonly olderIterations?: number;
}

/** What `loginTiming` measured; times in milliseconds. */
export interface LoginTimingFigures {
  readonly iterations: number;
  readonly olderIterations: number;
  readonly medians: {
    readonly unknown: number;
    readonly wrongFresh: number;
    readonly wrongOlder: number;
  };
  /** median(unknown user) / median(wrong password, user hashed at the current count). */
  readonly freshRatio: number;
  /** median(unknown user) / median(wrong password, user with an older, cheaper hash). */
  readonly olderRatio: number;
}

type Kind = 'unknown' | 'wrongFresh' | 'wrongOlder';

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Runs the benchmark and returns its figures (it prints nothing). */
export async function loginTiming(options: LoginTimingOptions = {}): Promise<LoginTimingFigures> {
  const iterations = options.iterations ?? 1_000_000;
  const olderIterations = options.olderIterations ?? Math.round(iterations * 0.26);
  const server = await startBenchServer({ iterations, olderIterations });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const usernames: Record<Kind, () => string> = {
    unknown: () => `nobody_${randomBytes(4).toString('hex')}`,
    wrongFresh: () => 'alice',
    wrongOlder: () => 'olga',
  };
  const times: Record<Kind, number[]> = { unknown: [], wrongFresh: [], wrongOlder: [] };
  const login = async (kind: Kind) => {
    const result = await timedRequest(agent, server.url, {
      method: 'POST',
      path: '/api-token-auth/',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: usernames[kind](), password: 'not-the-password' }),
    });
    if (result.status !== 400) throw new Error(`${kind}: answered ${result.status}, not 400`);
    return result.ms;
  };
  try {
    for (const kind of ['unknown', 'wrongFresh', 'wrongOlder'] as const) await login(kind); // warm-up
    for (let round = 0; round < (options.rounds ?? 25); round++) {
      for (const kind of shuffle<Kind>(['unknown', 'wrongFresh', 'wrongOlder'])) {
        times[kind].push(await login(kind));
      }
    }
  } finally {
    agent.destroy();
    await server.close();
  }
  const medians = {
    unknown: percentile(times.unknown, 50),
    wrongFresh: percentile(times.wrongFresh, 50),
    wrongOlder: percentile(times.wrongOlder, 50),
  };
  return {
    iterations,
    olderIterations,
    medians,
    freshRatio: medians.unknown / medians.wrongFresh,
    olderRatio: medians.unknown / medians.wrongOlder,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 25);
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 1_000_000);
  const figures = await loginTiming({ rounds, iterations });
  const within = (ratio: number) => (Math.abs(ratio - 1) <= 0.1 ? 'within 10%' : 'NOT within 10%');
  console.log(
    `login timing: ${iterations.toLocaleString('en')} PBKDF2 iterations, ${rounds} rounds (node ${process.version})`,
  );
  console.log(
    `median ms: unknown user ${figures.medians.unknown.toFixed(1)}, wrong password ${figures.medians.wrongFresh.toFixed(1)}, wrong password (older hash, ${figures.olderIterations.toLocaleString('en')}) ${figures.medians.wrongOlder.toFixed(1)}`,
  );
  console.log(
    `unknown / wrong password, fresh user:      ${figures.freshRatio.toFixed(3)}  ${within(figures.freshRatio)}`,
  );
  console.log(
    `unknown / wrong password, older hash user: ${figures.olderRatio.toFixed(3)}  ${within(figures.olderRatio)}`,
  );
}
