import { Agent, request } from 'node:http';

/** One request of a load loop. */
export interface LoadRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One answer: its status and how long it took, in milliseconds. */
export interface Timed {
  readonly status: number;
  readonly ms: number;
}

/** Sends one request on a keep-alive agent and times it from write to the last byte. */
export function timedRequest(agent: Agent, baseUrl: string, load: LoadRequest): Promise<Timed> {
  const url = new URL(load.path, baseUrl);
  const body = load.body === undefined ? undefined : Buffer.from(load.body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: load.method,
        path: url.pathname,
        headers: { ...load.headers, 'Content-Length': String(body?.length ?? 0) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs `concurrency` clients, each sending `load` again as soon as its last answer came, until
 * `durationMs` has passed (a closed loop), and returns every answer.
 */
export async function closedLoop(
  baseUrl: string,
  load: LoadRequest,
  concurrency: number,
  durationMs: number,
): Promise<Timed[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = performance.now() + durationMs;
  const results: Timed[] = [];
  const client = async () => {
    while (performance.now() < deadline) results.push(await timedRequest(agent, baseUrl, load));
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, client));
  } finally {
    agent.destroy();
  }
  return results;
}

/** The p-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Counts answers by status, e.g. `{ 200: 950, 503: 12 }`. */
export function statusCounts(results: readonly Timed[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
