import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finishedChildrenCpuSeconds, processCpuSeconds } from './process-cpu.js';

/** One kind of request wrk sends, again and again. */
export interface WrkRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Options of one `runWrk`. */
export interface WrkOptions {
  readonly seconds: number;
  readonly connections: number;
  /** The core wrk is pinned to (`taskset -c`). */
  readonly core: number;
  /** The server's pid, to report its CPU use over the run. */
  readonly serverPid: number;
}

/** What one wrk run measured. */
export interface WrkRun {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** wrk's own CPU time over the run, as a share of one core (1 = one core busy). */
  readonly generatorCpu: number;
  /** The server process's CPU time over the run, as a share of one core. */
  readonly serverCpu: number;
}

/** Installs Debian's wrk when it is missing (the benchmark machine runs as root). */
export function ensureWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return;
  } catch (error) {
    // wrk --version exits 1 after printing its version: only a missing binary is ENOENT.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
  }
  console.log('wrk is missing: apt-get update && apt-get install -y wrk');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' });
}

function luaString(value: string): string {
  return JSON.stringify(value); // a JSON string of printable ASCII is a valid Lua string
}

// Method and headers go in the script: with `-H` and `-s` together, wrk sent requests that all
// got 401 on this machine. `done` prints one JSON line the run is read from.
function luaScript(request: WrkRequest): string {
  const headers = Object.entries(request.headers).map(
    ([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`,
  );
  return [
    `wrk.method = ${luaString(request.method)}`,
    ...headers,
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'\\nWRK_JSON {"requests":%d,"duration_us":%d,"status":%d,' +
      '"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n\',',
    '    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,',
    '    latency:percentile(50), latency:percentile(99)))',
    'end',
    '',
  ].join('\n');
}

interface WrkJson {
  requests: number;
  duration_us: number;
  status: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50_us: number;
  p99_us: number;
}

/**
 * Runs wrk (one thread, pinned to `options.core`) against one request for `options.seconds`,
 * and fails when any answer is not 2xx/3xx or any socket error happened: a benchmark of
 * refusals would look fast.
 */
export async function runWrk(request: WrkRequest, options: WrkOptions): Promise<WrkRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-wrk-'));
  try {
    const script = join(dir, 'request.lua');
    writeFileSync(script, luaScript(request));
    const args = [
      '-c',
      String(options.core),
      'wrk',
      '-t1',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '-s',
      script,
      request.url,
    ];
    const childrenBefore = finishedChildrenCpuSeconds();
    const serverBefore = processCpuSeconds(options.serverPid);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`)),
      );
    });
    const serverAfter = processCpuSeconds(options.serverPid);
    const childrenAfter = finishedChildrenCpuSeconds();
    const line = output.split('\n').find((text) => text.startsWith('WRK_JSON '));
    if (!line) throw new Error(`wrk printed no summary:\n${output}`);
    const json = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson;
    const refused = /Non-2xx or 3xx responses: (\d+)/.exec(output);
    if (refused || json.status > 0) {
      throw new Error(
        `${request.method} ${request.url}: ${refused?.[1] ?? json.status} answers were not 2xx/3xx`,
      );
    }
    const socketErrors = json.connect + json.read + json.write + json.timeout;
    if (socketErrors > 0) throw new Error(`${request.url}: ${socketErrors} socket errors`);
    const seconds = json.duration_us / 1e6;
    return {
      requests: json.requests,
      seconds,
      rps: json.requests / seconds,
      p50Ms: json.p50_us / 1000,
      p99Ms: json.p99_us / 1000,
      generatorCpu: (childrenAfter - childrenBefore) / seconds,
      serverCpu: (serverAfter - serverBefore) / seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
