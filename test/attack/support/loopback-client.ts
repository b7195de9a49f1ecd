import { request as httpRequest } from 'node:http';

/** What one request from a given loopback address got back. */
export interface LoopbackResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request to send: the server's URL and path, and optionally method, headers and body. */
export interface LoopbackRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string;
}

/**
 * The `n`-th distinct loopback address (127.0.0.2, 127.0.0.3, …, then 127.0.1.x): Linux answers
 * every 127/8 address, so each attacker or client in a test is a distinct peer to the server.
 */
export function loopbackAddress(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 250 * 250) throw new RangeError(`address ${n}`);
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

/** Sends one request from `localAddress`, a fresh connection each time (no keep-alive). */
export function requestFrom(
  localAddress: string,
  options: LoopbackRequest,
): Promise<LoopbackResponse> {
  const target = new URL(options.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Runs `tasks` with at most `width` in flight at once; results in the tasks' order. */
export async function inParallel<T>(
  width: number,
  tasks: readonly (() => Promise<T>)[],
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}
