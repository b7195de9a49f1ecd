import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { requireDrfTokenTable } from '../../core/auth/live-drf-keys.js';
import { CommandError } from '../command-error.js';
import type { CliContext } from '../context.js';
import { runAction } from '../run-action.js';

/**
 * Loads the reference server, which is built on Fastify: an optional peer dependency, so a
 * project using another framework never installs it. Its absence is one line, not a stack trace.
 */
async function loadServer(): Promise<typeof import('../../server/serve.js')> {
  try {
    return await import('../../server/serve.js');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    if (missing && /'fastify'/.test(String((error as Error).message))) {
      throw new CommandError(
        'The reference server runs on Fastify, which is not installed: npm install fastify',
      );
    }
    throw error;
  }
}

interface ServeOptions {
  host?: string;
  port?: string;
  migrate: boolean;
  workers?: string;
}

/** `--workers` or TESSERA_WORKERS: a whole number of at least 1, or `auto` (one per CPU). */
export function parseWorkers(value: string): number {
  const text = value.trim().toLowerCase();
  if (text === 'auto') return availableParallelism();
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new CommandError(`"${value}" is not a number of workers (a whole number >= 1, or auto).`);
  }
  return Number(text);
}

// Slow clients and logs are set by settings, not flags: the same variables serve every node.
const TIMEOUTS_HELP = `
Slow clients are bounded (milliseconds; docs/reference-server.md, "Timeouts"):
  TESSERA_HEADERS_TIMEOUT_MS     the request head (default 10000), then 408
  TESSERA_REQUEST_TIMEOUT_MS     the whole request, head and body (default 30000), then 408
  TESSERA_IDLE_TIMEOUT_MS        a connection passing no byte (default 20000), then closed
  TESSERA_KEEP_ALIVE_TIMEOUT_MS  a kept-alive connection between requests (default 5000)

Logs are JSON lines on stdout: the start, tessera's events and errors
(TESSERA_LOG_LEVEL, default info). Like gunicorn, no line per request unless
TESSERA_ACCESS_LOG=on.`;

/** `tessera serve` and Django's spelling, `tessera runserver [addr:port]`. */
export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('Run the reference server (build-trigger and obtain-token endpoints).')
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: PORT or 8000)')
    .option('--migrate', 'apply pending migrations before serving', false)
    .option(
      '--workers <n>',
      'processes serving on one port, like gunicorn -w; auto: one per CPU (default: TESSERA_WORKERS or 1)',
    )
    .addHelpText('after', TIMEOUTS_HELP)
    .action(
      runAction(context, async (options: ServeOptions) => {
        try {
          await start(context, options.host, options.port, options.migrate, options.workers);
        } catch (error) {
          // A worker's channel to the primary would keep it alive, failed: let it exit, so the
          // primary sees the exit and restarts it after its backoff.
          if (cluster.isWorker) process.disconnect?.();
          throw error;
        }
      }),
    );

  program
    .command('runserver')
    .description(
      "Run the reference server, Django style: 'runserver 8001' or 'runserver 0.0.0.0:8001'.",
    )
    .argument('[addrport]', '[address:]port to listen on')
    .option('--migrate', 'apply pending migrations before serving', false)
    .addHelpText('after', TIMEOUTS_HELP)
    .action(
      runAction(context, async (addrport: string | undefined, options: { migrate: boolean }) => {
        const { host, port } = parseAddrport(addrport);
        await start(context, host, port, options.migrate);
      }),
    );
}

/** Splits Django's `[addr:]port` argument. */
export function parseAddrport(addrport: string | undefined): { host?: string; port?: string } {
  if (addrport === undefined) return {};
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:]+):)?(\d+)$/.exec(addrport);
  if (!match)
    throw new CommandError(`"${addrport}" is not a valid port number or address:port pair.`);
  const host = match[1]?.replace(/^\[|\]$/g, '');
  return { host, port: match[2] };
}

async function start(
  context: CliContext,
  host: string | undefined,
  port: string | undefined,
  migrate: boolean,
  workersOption?: string,
): Promise<void> {
  if (port !== undefined && !/^\d+$/.test(port)) {
    throw new CommandError(`"${port}" is not a valid port number.`);
  }
  const workers = parseWorkers(workersOption ?? context.settings.workers);
  const { serve } = await loadServer();
  const settings = {
    ...context.settings,
    ...(host ? { host } : {}),
    ...(port ? { port: Number(port) } : {}),
  };
  const store = await context.openStore();
  // A cluster worker re-runs this command: the primary has migrated already.
  if (migrate && !cluster.isWorker) {
    for (const name of await store.migrate()) context.print(`Applied migration ${name}`);
  }
  await context.migratedStore();
  // Checked before any worker starts: a worker failing at start would be restarted forever.
  if (settings.drfTokens === 'read') await requireDrfTokenTable(store);
  if (workers > 1 && cluster.isPrimary) {
    // The primary serves nothing: its store is closed when this action ends.
    const { runClusterPrimary } = await import('../../server/cluster-primary.js');
    runClusterPrimary({
      workers,
      holdThrottles: !settings.redisUrl,
      onListening: (url) => context.print(`tessera serving on ${url} (${workers} workers)`),
    });
    return;
  }
  // The server owns the store from here on and closes it at shutdown.
  context.releaseStore();
  if (cluster.isWorker) {
    // Without Redis, failure limits are counted in the primary, as with one process.
    const { ClusterThrottleBackend } = await import('../../server/cluster-throttle-backend.js');
    await serve(store, settings, {
      ...(settings.redisUrl ? {} : { throttleBackend: new ClusterThrottleBackend() }),
    });
    return;
  }
  const server = await serve(store, settings);
  context.print(`tessera serving on ${server.url}`);
}
