import type { ServerSettings } from '../core/config/settings.js';

/** The Fastify options that bound how long a client may hold a connection. */
export interface ServerTimeoutOptions {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly http: {
    readonly headersTimeout: number;
    readonly connectionsCheckingInterval: number;
  };
}

// Node checks the head and whole-request bounds on a timer (every 30 s by default), so a bound
// of 10 s could take 40 s to act. Checking every second, or at half the shortest bound when that
// is shorter, keeps the overshoot small; the check walks the open connections, which is cheap.
const LONGEST_CHECK_INTERVAL_MS = 1000;

/**
 * Fastify and Node options from the settings' four timeouts. Fastify leaves Node's whole-request
 * bound off (`requestTimeout: 0`) and keeps idle connections 72 s, so a client trickling a body
 * one byte at a time would hold its connection for as long as it liked.
 * - `http.headersTimeout`: the head must arrive within `headersTimeoutMs` (408, then close).
 * - `requestTimeout`: head and body within `requestTimeoutMs` (408, then close).
 * - `connectionTimeout`: no byte either way for `idleTimeoutMs` closes the socket, no answer.
 * - `keepAliveTimeout`: a kept-alive connection waits `keepAliveTimeoutMs` for its next request.
 * @example
 * const timeouts = serverTimeoutOptions(settings);
 * const app = Fastify({ ...timeouts, http: { ...timeouts.http, maxHeaderSize: 16384 } });
 */
export function serverTimeoutOptions(
  settings: Pick<
    ServerSettings,
    'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs'
  >,
): ServerTimeoutOptions {
  // Node refuses a head bound longer than the whole request's; the request's bound holds anyway.
  const headersTimeout = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
  return {
    connectionTimeout: settings.idleTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(
        1,
        Math.min(LONGEST_CHECK_INTERVAL_MS, Math.floor(headersTimeout / 2)),
      ),
    },
  };
}
