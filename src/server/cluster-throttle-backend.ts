import type { Worker } from 'node:cluster';
import { MemoryThrottleBackend } from '../core/throttling/memory-throttle-backend.js';
import type {
  RememberedSetLimit,
  ThrottleBackend,
  ThrottleDecision,
  ThrottleRefusal,
  ThrottleReservation,
  WindowLimit,
} from '../core/throttling/throttle-backend.js';

// Messages between the workers and the cluster primary, told from the cluster's own by `tessera`.
interface CallMessage {
  readonly tessera: 'throttle-call';
  readonly id: number;
  readonly op: 'hit' | 'reserve' | 'keep' | 'release' | 'fail' | 'remember' | 'isRemembered';
  readonly args: readonly unknown[];
}
interface ReplyMessage {
  readonly tessera: 'throttle-reply';
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}
/** Told to every worker when a failure is counted: the key has failures until `until`. */
interface FailedMessage {
  readonly tessera: 'throttle-failed';
  readonly key: string;
  readonly until: number;
}

const isMessage = (value: unknown, kind: string): boolean =>
  typeof value === 'object' && value !== null && (value as { tessera?: unknown }).tessera === kind;

// Most keys a worker remembers as having failures; beyond it the oldest are forgotten (such a
// key's next attempt may take the local path once more: one attempt per worker, at most).
const MAX_FAILING_KEYS = 100_000;

/** Scopes whose cold keys take the local path (token authentication's, on every request). */
const LOCAL_SCOPES: readonly string[] = ['tessera_key_guess_'];
const inLocalScope = (key: string) => LOCAL_SCOPES.some((scope) => key.startsWith(scope));

/** A reservation this worker holds alone, for a key with no failure anywhere in the cluster. */
class LocalReservation implements ThrottleReservation {
  readonly allowed = true as const;
  readonly id = '';
  constructor(
    readonly limits: readonly WindowLimit[],
    readonly at: number,
  ) {}
}

const RELEASED: Promise<void> = Promise.resolve();

/**
 * A worker's throttle backend when `tessera serve --workers N` runs without Redis: the counts
 * live in the cluster primary (`serveClusterThrottles`), so a limit means the same with 1
 * worker or 16. Only failure paths pay for the message: a key-guess reservation for an address
 * with no failure anywhere in the cluster (the primary tells every worker of each failure) is
 * held here, one at a time per address and worker; every other call goes to the primary. A
 * burst of guesses from a new address arriving all at once may thus pass the limit by one per
 * worker; one after another, the count is exact.
 */
export class ClusterThrottleBackend implements ThrottleBackend {
  readonly #send: (message: CallMessage) => void;
  readonly #calls = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  /** Keys with failures somewhere in the cluster, to when their last failure leaves its window. */
  readonly #failing = new Map<string, number>();
  /** Keys with a local reservation in flight. */
  readonly #localInFlight = new Set<string>();
  readonly #onMessage: (message: unknown) => void;
  #nextId = 1;
  #closed = false;

  constructor() {
    const send = process.send?.bind(process);
    if (!send) throw new Error('ClusterThrottleBackend runs in a cluster worker only.');
    this.#send = (message) => send(message);
    this.#onMessage = (message) => this.#receive(message);
    process.on('message', this.#onMessage);
  }

  hit(key: string, now: number, limit: number, durationMs: number): Promise<ThrottleDecision> {
    return this.#call('hit', [key, now, limit, durationMs]) as Promise<ThrottleDecision>;
  }

  reserve(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal> {
    const local = this.#reserveLocally(limits, now);
    if (local !== null) return Promise.resolve(local);
    return this.#call('reserve', [limits, now]) as Promise<ThrottleReservation | ThrottleRefusal>;
  }

  /**
   * True for a key-guess window with no failure known anywhere in the cluster: a request decided
   * at once (a token cache hit) holds nothing, so it needs neither a reservation nor the primary.
   */
  admitsNow(limit: WindowLimit, now: number): boolean {
    if (limit.limit < 1 || !inLocalScope(limit.key)) return false;
    const until = this.#failing.get(limit.key);
    return until === undefined || until <= now;
  }

  async keep(reservation: ThrottleReservation): Promise<void> {
    if (reservation instanceof LocalReservation) {
      const { key, durationMs } = reservation.limits[0] as WindowLimit;
      this.#localInFlight.delete(key);
      this.#noteFailing(key, reservation.at + durationMs);
      await this.#call('fail', [reservation.limits, reservation.at]);
      return;
    }
    await this.#call('keep', [reservation.id]);
  }

  release(reservation: ThrottleReservation): Promise<void> {
    if (reservation instanceof LocalReservation) {
      this.#localInFlight.delete((reservation.limits[0] as WindowLimit).key);
      return RELEASED;
    }
    return this.#call('release', [reservation.id]).then(
      () => undefined,
      () => undefined,
    );
  }

  async remember(key: string, member: string, now: number, limit: RememberedSetLimit) {
    await this.#call('remember', [key, member, now, limit]);
  }

  isRemembered(key: string, member: string, now: number, ttlMs: number): Promise<boolean> {
    return this.#call('isRemembered', [key, member, now, ttlMs]) as Promise<boolean>;
  }

  async close(): Promise<void> {
    this.#closed = true;
    process.off('message', this.#onMessage);
    for (const { reject } of this.#calls.values()) reject(new Error('throttle backend closed'));
    this.#calls.clear();
  }

  // The local path: one window of a local scope, no failure known in the cluster, and no other
  // attempt of the key in flight here. Anything else is for the primary to judge.
  #reserveLocally(limits: readonly WindowLimit[], now: number): LocalReservation | null {
    if (limits.length !== 1) return null;
    const { key, limit } = limits[0] as WindowLimit;
    if (limit < 1 || this.#localInFlight.has(key)) return null;
    if (!inLocalScope(key)) return null;
    const until = this.#failing.get(key);
    if (until !== undefined) {
      if (until > now) return null;
      this.#failing.delete(key);
    }
    this.#localInFlight.add(key);
    return new LocalReservation(limits, now);
  }

  #noteFailing(key: string, until: number): void {
    const known = this.#failing.get(key);
    if (known !== undefined && known >= until) return;
    this.#failing.delete(key);
    this.#failing.set(key, until);
    if (this.#failing.size > MAX_FAILING_KEYS) {
      const oldest = this.#failing.keys().next().value;
      if (oldest !== undefined) this.#failing.delete(oldest);
    }
  }

  #call(op: CallMessage['op'], args: readonly unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('throttle backend closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      try {
        this.#send({ tessera: 'throttle-call', id, op, args });
      } catch (error) {
        this.#calls.delete(id);
        reject(error as Error);
      }
    });
  }

  #receive(message: unknown): void {
    if (isMessage(message, 'throttle-failed')) {
      const { key, until } = message as FailedMessage;
      this.#noteFailing(key, until);
      return;
    }
    if (!isMessage(message, 'throttle-reply')) return;
    const { id, result, error } = message as ReplyMessage;
    const call = this.#calls.get(id);
    if (!call) return;
    this.#calls.delete(id);
    if (error !== undefined) call.reject(new Error(error));
    else call.resolve(result);
  }
}

/**
 * The primary's side of `ClusterThrottleBackend`: one `MemoryThrottleBackend` that every worker
 * counts in. Each failure is told to every worker before its sender hears back, so a worker
 * never takes the local path for an address that failed elsewhere. Returns a function that
 * attaches a newly forked worker.
 */
export function serveClusterThrottles(backend: ThrottleBackend = new MemoryThrottleBackend()): {
  attach(worker: Worker): void;
  close(): Promise<void>;
} {
  const workers = new Set<Worker>();
  const broadcast = (message: FailedMessage) => {
    for (const worker of workers) if (worker.isConnected()) worker.send(message);
  };
  const toldFailing = (limits: readonly WindowLimit[], at: number) => {
    // Only keys that may take the local path: the others always come here.
    for (const { key, durationMs } of limits) {
      if (inLocalScope(key)) broadcast({ tessera: 'throttle-failed', key, until: at + durationMs });
    }
  };

  const attach = (worker: Worker) => {
    workers.add(worker);
    // Reservations by id, per worker: those of a worker that dies are released with it.
    const held = new Map<string, ThrottleReservation>();
    let next = 1;
    const handle = async (op: CallMessage['op'], args: readonly unknown[]): Promise<unknown> => {
      switch (op) {
        case 'hit':
          return backend.hit(...(args as Parameters<ThrottleBackend['hit']>));
        case 'reserve': {
          const outcome = await backend.reserve(
            ...(args as Parameters<ThrottleBackend['reserve']>),
          );
          if (!outcome.allowed) return outcome;
          const id = String(next++);
          held.set(id, outcome);
          return { allowed: true, limits: outcome.limits, at: outcome.at, id };
        }
        case 'keep': {
          const reservation = held.get(args[0] as string);
          if (!reservation) return undefined;
          held.delete(args[0] as string);
          await backend.keep(reservation);
          toldFailing(reservation.limits, reservation.at);
          return undefined;
        }
        case 'release': {
          const reservation = held.get(args[0] as string);
          held.delete(args[0] as string);
          if (reservation) await backend.release(reservation);
          return undefined;
        }
        case 'fail': {
          // A failure of a locally held attempt: counted whatever the window holds.
          const [limits, at] = args as [readonly WindowLimit[], number];
          for (const { key, durationMs } of limits) {
            await backend.hit(key, at, Number.MAX_SAFE_INTEGER, durationMs);
          }
          toldFailing(limits, at);
          return undefined;
        }
        case 'remember':
          return backend.remember(...(args as Parameters<ThrottleBackend['remember']>));
        case 'isRemembered':
          return backend.isRemembered(...(args as Parameters<ThrottleBackend['isRemembered']>));
      }
    };
    worker.on('message', (message: unknown) => {
      if (!isMessage(message, 'throttle-call')) return;
      const { id, op, args } = message as CallMessage;
      handle(op, args).then(
        (result) => {
          if (worker.isConnected()) worker.send({ tessera: 'throttle-reply', id, result });
        },
        (error: unknown) => {
          const text = error instanceof Error ? error.message : String(error);
          if (worker.isConnected()) worker.send({ tessera: 'throttle-reply', id, error: text });
        },
      );
    });
    worker.once('exit', () => {
      workers.delete(worker);
      for (const reservation of held.values()) void backend.release(reservation);
      held.clear();
    });
  };
  return { attach, close: () => backend.close() };
}
