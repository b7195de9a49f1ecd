import { Worker } from 'node:worker_threads';
import type { Pbkdf2Digest, Pbkdf2Function } from './django-pbkdf2.js';
import type { ScryptFunction } from './django-scrypt.js';
import { SCRYPT_KEY_LENGTH, SCRYPT_MAX_MEMORY_OPTION } from './django-scrypt.js';

// The thread's body, evaluated as CommonJS: it lowers its own scheduling priority (Linux nices
// threads one by one), then derives keys synchronously, each on this thread alone: PBKDF2, or
// scrypt for a job that carries scrypt's options.
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { pbkdf2Sync, scryptSync } = require('node:crypto');
const { setPriority } = require('node:os');
try { setPriority(0, 19); } catch {}
parentPort.on('message', (job) => {
  try {
    const key = job.scrypt
      ? scryptSync(job.password, job.salt, job.keyLength, job.scrypt)
      : pbkdf2Sync(job.password, job.salt, job.iterations, job.keyLength, job.digest);
    parentPort.postMessage({ id: job.id, key });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message) });
  }
});
`;

interface Job {
  readonly id: number;
  readonly password: string;
  readonly salt: string;
  readonly keyLength: number;
  readonly iterations?: number;
  readonly digest?: Pbkdf2Digest;
  readonly scrypt?: { N: number; r: number; p: number; maxmem: number };
}

type JobInput = Omit<Job, 'id'>;

/** Runs key derivations on the pool's threads. */
type RunJob = (job: JobInput) => Promise<Uint8Array>;

interface Pending {
  readonly job: Job;
  readonly resolve: (key: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

/** A thread of the pool and the job it runs, if any. */
interface HashThread {
  readonly worker: Worker;
  running: Pending | undefined;
}

/**
 * PBKDF2 on worker threads of the lowest scheduling priority (nice 19), so a login flood's
 * hashing takes the CPU the event loop leaves: token-authenticated requests keep their latency
 * while logins wait. At most `threads` derive at once (the hasher's limit keeps fewer); a
 * thread is started on first need and does not keep the process alive while idle. Where the
 * priority cannot be lowered, the threads run at the process's.
 * @example
 * const passwords = new PasswordHasher({}, { pbkdf2: lowPriorityPbkdf2(2) });
 */
export function lowPriorityPbkdf2(threads: number): Pbkdf2Function {
  return pbkdf2On(lowPriorityPool(threads));
}

/** scrypt on a pool of `threads` threads of the lowest priority, as `lowPriorityPbkdf2`. */
export function lowPriorityScrypt(threads: number): ScryptFunction {
  return scryptOn(lowPriorityPool(threads));
}

function pbkdf2On(run: RunJob): Pbkdf2Function {
  return (password, salt, iterations, keyLength, digest) =>
    run({ password, salt, iterations, keyLength, digest });
}

function scryptOn(run: RunJob): ScryptFunction {
  return (password, salt, { workFactor, blockSize, parallelism }) =>
    run({
      password,
      salt,
      keyLength: SCRYPT_KEY_LENGTH,
      scrypt: { N: workFactor, r: blockSize, p: parallelism, maxmem: SCRYPT_MAX_MEMORY_OPTION },
    });
}

function lowPriorityPool(threads: number): RunJob {
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError('lowPriorityPbkdf2 needs a positive integer number of threads.');
  }
  const pool: HashThread[] = [];
  const waiting: Pending[] = [];
  let nextId = 1;

  const start = (thread: HashThread, pending: Pending) => {
    thread.running = pending;
    thread.worker.ref();
    thread.worker.postMessage(pending.job);
  };
  const spawnThread = (): HashThread => {
    const worker = new Worker(THREAD_SOURCE, { eval: true });
    const thread: HashThread = { worker, running: undefined };
    worker.on('message', (message: { key?: Uint8Array; error?: string }) => {
      const done = thread.running;
      thread.running = undefined;
      const next = waiting.shift();
      if (next) start(thread, next);
      else worker.unref();
      if (!done) return;
      if (message.error !== undefined) done.reject(new Error(message.error));
      else done.resolve(message.key as Uint8Array);
    });
    worker.on('error', (error) => {
      // A thread that died takes its job with it; the next job starts a new thread.
      pool.splice(pool.indexOf(thread), 1);
      thread.running?.reject(error);
      const next = waiting.shift();
      if (next) dispatch(next);
    });
    pool.push(thread);
    return thread;
  };
  const dispatch = (pending: Pending) => {
    const idle =
      pool.find((thread) => thread.running === undefined) ??
      (pool.length < threads ? spawnThread() : undefined);
    if (idle) start(idle, pending);
    else waiting.push(pending);
  };

  return (input) =>
    new Promise<Uint8Array>((resolve, reject) => {
      dispatch({ job: { ...input, id: nextId++ }, resolve, reject });
    });
}

let shared: RunJob | undefined;

function sharedPool(): RunJob {
  shared ??= lowPriorityPool(4);
  return shared;
}

/**
 * The process's one low-priority pool (4 threads, as libuv's default pool), which every
 * `PasswordHasher` without its own `pbkdf2` shares; each hasher's limit bounds its use of it.
 */
export function sharedLowPriorityPbkdf2(): Pbkdf2Function {
  return pbkdf2On(sharedPool());
}

/** scrypt on the same shared pool, for every `PasswordHasher` without its own `scrypt`. */
export function sharedLowPriorityScrypt(): ScryptFunction {
  return scryptOn(sharedPool());
}
