import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';
import { serveClusterThrottles } from './cluster-throttle-backend.js';

/** Options of `runClusterPrimary`. */
export interface ClusterPrimaryOptions {
  /** Worker processes to keep running. */
  readonly workers: number;
  /** Whether throttle counts live in this process (no Redis); with Redis the workers share it. */
  readonly holdThrottles: boolean;
  /** Called once, when every worker first listens, with the address they share. */
  readonly onListening: (url: string) => void;
  /** Where the primary's JSON log lines go; default stdout. */
  readonly logStream?: NodeJS.WritableStream;
}

/** A worker that lived less than this is taken as crashing at start: its restart waits longer. */
const SHORT_LIFE_MS = 5000;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 30_000;

/**
 * The primary of `tessera serve --workers N`, like gunicorn's arbiter: forks N workers that
 * share one port (node:cluster), holds their throttle counts (without Redis), restarts a worker
 * that dies, waiting twice as long each time it dies young (100 ms up to 30 s), and on SIGTERM or
 * SIGINT asks every worker to finish its requests, write pending last uses and exit, then exits 0.
 * Workers re-run the same command: `cluster.isWorker` tells them to serve.
 */
export function runClusterPrimary(options: ClusterPrimaryOptions): void {
  const out = options.logStream ?? process.stdout;
  const host = hostname();
  const log = (level: number, fields: Record<string, unknown>, msg: string) => {
    out.write(
      `${JSON.stringify({ level, time: Date.now(), pid: process.pid, hostname: host, ...fields, msg })}\n`,
    );
  };
  const throttles = options.holdThrottles ? serveClusterThrottles() : undefined;
  let shuttingDown = false;
  let backoffMs = 0;
  const listening = new Set<number>();
  let announced = false;

  const fork = () => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    throttles?.attach(worker);
    worker.on('listening', (address) => {
      listening.add(worker.id);
      if (announced || listening.size < options.workers) return;
      announced = true;
      const shown = address.address?.includes(':') ? `[${address.address}]` : address.address;
      options.onListening(`http://${shown ?? '127.0.0.1'}:${address.port}`);
    });
    worker.once('exit', (code, signal) => {
      listening.delete(worker.id);
      if (shuttingDown) return;
      const lived = Date.now() - startedAt;
      backoffMs =
        lived < SHORT_LIFE_MS
          ? Math.min(MAX_BACKOFF_MS, backoffMs === 0 ? FIRST_BACKOFF_MS : backoffMs * 2)
          : FIRST_BACKOFF_MS;
      log(
        50,
        { workerPid: worker.process.pid, code, signal, livedMs: lived, restartInMs: backoffMs },
        'worker exited; restarting',
      );
      setTimeout(() => {
        if (!shuttingDown) fork();
      }, backoffMs);
    });
    return worker;
  };

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(30, { signal }, 'shutting down');
    const workers = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined && !worker.isDead(),
    );
    const exits = workers.map(
      (worker) =>
        new Promise<void>((done) => (worker.isDead() ? done() : worker.once('exit', done))),
    );
    // SIGINT from a terminal reaches every worker already; SIGTERM reaches only this process.
    for (const worker of workers) worker.process.kill('SIGTERM');
    void Promise.all(exits)
      .then(() => throttles?.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  for (let i = 0; i < options.workers; i++) fork();
}
