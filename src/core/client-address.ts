import type { ViewRequest } from './request.js';

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
}

/**
 * The client address by DRF's `get_ident` rule for `numProxies` = N ≥ 1: the N-th entry of
 * `X-Forwarded-For` counted from the right (the one the outermost trusted proxy wrote), or the
 * first entry when there are fewer. With N null or 0, or without the header, the peer address.
 * Unlike DRF, whose default (None) trusts the whole header, no proxy is trusted by default:
 * any client can write `X-Forwarded-For`.
 * @example
 * clientAddress('203.0.113.9', '198.51.100.1, 203.0.113.9', 1); // '203.0.113.9'
 */
export function clientAddress(
  peerAddress: string | undefined,
  forwardedFor: string | undefined,
  numProxies: number | null,
): string | undefined {
  if (!numProxies || forwardedFor === undefined) return peerAddress;
  const addresses = forwardedFor.split(',');
  return addresses[addresses.length - Math.min(numProxies, addresses.length)]?.trim();
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
  return (request) => {
    const forwardedFor = request.header('x-forwarded-for');
    if (!warned && numProxies === null && forwardedFor !== undefined) {
      warned = true;
      options.onIgnoredForwardedFor?.();
    }
    return clientAddress(request.remoteAddress, forwardedFor, numProxies);
  };
}

/** The peer address as the adapter gives it; `X-Forwarded-For` is not read. */
export const peerAddress: ClientAddressResolver = (request) => request.remoteAddress;
