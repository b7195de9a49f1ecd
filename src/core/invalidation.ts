/** What a revocation, rotation or user change makes stale: one token, a user's tokens, or all. */
export type Invalidation =
  | { readonly tokenId: number }
  | { readonly userId: number }
  | { readonly all: true };

/** Receives invalidations, and whether the channel that carries them is up. */
export interface InvalidationSubscriber {
  invalidate(invalidation: Invalidation): void;
  /** False: invalidations may be missed from now on; true: they arrive again. */
  setChannelUp(up: boolean): void;
  /**
   * Told why a channel's listener failed (could not connect, was refused its credentials, lost
   * its connection), once per failure; it keeps retrying with backoff. Without it the store
   * emits a process warning, so the failure is never silent.
   */
  channelFailed?(error: Error): void;
}

/** A store that tells subscribers what its writes (and other nodes' writes) made stale. */
export interface InvalidationSource {
  /** Subscribes; returns the function that unsubscribes. */
  subscribeInvalidations(subscriber: InvalidationSubscriber): () => void;
}

/** Reads an invalidation sent over a channel as JSON; null for anything else. */
export function parseInvalidation(text: string): Invalidation | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { tokenId, userId, all } = value as Record<string, unknown>;
  if (Number.isSafeInteger(tokenId)) return { tokenId: tokenId as number };
  if (Number.isSafeInteger(userId)) return { userId: userId as number };
  if (all === true) return { all: true };
  return null;
}

/**
 * A committed change whose invalidation did not reach other processes (a publish that failed or
 * did not finish before the store closed): their token caches serve the old state until the TTL.
 */
export class InvalidationNotPublished extends Error {
  /** The channel that failed, e.g. `Redis`. */
  readonly channel: string;
  readonly invalidations: readonly Invalidation[];

  constructor(channel: string, invalidations: readonly Invalidation[], reason: string) {
    super(
      `the change is saved, but ${channel} did not carry its invalidation ` +
        `(${describe(invalidations)}) to other nodes (${reason.replace(/\.$/, '')}): their ` +
        'token caches will serve the affected keys until the cache TTL (TESSERA_TOKEN_CACHE_TTL) ends.',
    );
    this.name = 'InvalidationNotPublished';
    this.channel = channel;
    this.invalidations = invalidations;
  }
}

function describe(invalidations: readonly Invalidation[]): string {
  return invalidations
    .map((invalidation) =>
      'tokenId' in invalidation
        ? `token ${invalidation.tokenId}`
        : 'userId' in invalidation
          ? `user id ${invalidation.userId}`
          : 'every token',
    )
    .join(', ');
}
