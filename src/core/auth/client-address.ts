import { isIP } from 'node:net';
import type { ViewRequest } from '../http/request.js';

/** Finds a request's client address: what throttles and failure limits count per. */
export type ClientAddressResolver = (request: ViewRequest) => string | undefined;

/** Options of `clientAddressResolver`. */
export interface ClientAddressOptions {
  /**
   * How many reverse proxies in front of the app append to `X-Forwarded-For` (DRF's
   * `NUM_PROXIES`). Null or 0: the header is ignored and the peer address is the client.
   */
  readonly numProxies?: number | null;
  /** Called once, the first time an `X-Forwarded-For` header is ignored (null `numProxies`). */
  readonly onIgnoredForwardedFor?: () => void;
  /** Called once, the first time the entry the proxies vouch for is not an IP address. */
  readonly onUntrustedForwardedFor?: () => void;
}

// The longest textual IPv6 address (an IPv4-mapped one written in full): 45 characters. Zone ids
// (`fe80::1%eth0`) can be any length, so a longer entry is not trusted either.
const MAX_IP_LENGTH = 45;

/**
 * The entry of `X-Forwarded-For` the outermost trusted proxy wrote, by DRF's `get_ident` rule
 * (the N-th from the right, or the first when there are fewer), trimmed and without IPv6
 * brackets; null when it is not an IP literal (`net.isIP`), so that no header text a client
 * could choose ever becomes a throttle key.
 * @example
 * forwardedClient('198.51.100.1, [2001:db8::1]', 1); // '2001:db8::1'
 * forwardedClient('198.51.100.1, x'.repeat(9), 1); // null
 */
export function forwardedClient(forwardedFor: string, numProxies: number): string | null {
  const entries = forwardedFor.split(',');
  let entry = (entries[entries.length - Math.min(numProxies, entries.length)] ?? '').trim();
  if (entry.startsWith('[') && entry.endsWith(']')) entry = entry.slice(1, -1);
  return entry.length <= MAX_IP_LENGTH && isIP(entry) !== 0 ? entry : null;
}

/**
 * The client address by DRF's `get_ident` rule for `numProxies` = N ≥ 1: the N-th entry of
 * `X-Forwarded-For` counted from the right (the one the outermost trusted proxy wrote), or the
 * first entry when there are fewer, when that entry is an IP literal (see `forwardedClient`);
 * otherwise, with N null or 0, or without the header, the peer address. Unlike DRF, whose
 * default (None) trusts the whole header, no proxy is trusted by default: any client can write
 * `X-Forwarded-For`.
 * @example
 * clientAddress('203.0.113.9', '198.51.100.1, 203.0.113.9', 1); // '203.0.113.9'
 */
export function clientAddress(
  peerAddress: string | undefined,
  forwardedFor: string | undefined,
  numProxies: number | null,
): string | undefined {
  if (!numProxies || forwardedFor === undefined) return peerAddress;
  return forwardedClient(forwardedFor, numProxies) ?? peerAddress;
}

/**
 * A resolver for `numProxies`, taking `ViewRequest.remoteAddress` (the peer) and the
 * `x-forwarded-for` header.
 * @example
 * const resolve = clientAddressResolver({ numProxies: 1 });
 * resolve(request); // the address the proxy saw
 */
export function clientAddressResolver(options: ClientAddressOptions = {}): ClientAddressResolver {
  const numProxies = options.numProxies ?? null;
  if (numProxies !== null && (!Number.isSafeInteger(numProxies) || numProxies < 0)) {
    throw new RangeError('numProxies must be null or a non-negative integer.');
  }
  let warned = options.onIgnoredForwardedFor === undefined;
  let warnedUntrusted = options.onUntrustedForwardedFor === undefined;
  return (request) => {
    const forwardedFor = request.header('x-forwarded-for');
    if (forwardedFor === undefined) return request.remoteAddress;
    if (!numProxies) {
      if (!warned && numProxies === null) {
        warned = true;
        options.onIgnoredForwardedFor?.();
      }
      return request.remoteAddress;
    }
    const client = forwardedClient(forwardedFor, numProxies);
    if (client !== null) return client;
    if (!warnedUntrusted) {
      warnedUntrusted = true;
      options.onUntrustedForwardedFor?.();
    }
    return request.remoteAddress;
  };
}

/** The peer address as the adapter gives it; `X-Forwarded-For` is not read. */
export const peerAddress: ClientAddressResolver = (request) => request.remoteAddress;
