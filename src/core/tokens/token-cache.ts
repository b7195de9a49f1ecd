import type { Invalidation, InvalidationSubscriber } from '../invalidation.js';
import type { TokenLookup, TokenMatch } from '../store.js';
import type { Clock } from '../time/clock.js';

/** Options of `TokenCache`. */
export interface TokenCacheOptions {
  readonly clock: Clock;
  /** How long a verified token is served from memory; on stores without invalidation, the bound on revocation delay. */
  readonly ttlMs: number;
  /**
   * Most entries kept; the least recently used go first. The order is kept loosely (a second
   * chance): a hit only marks its entry, and eviction moves a marked entry to the back instead
   * of dropping it, so a hit costs no map writes and a busy token is never the next to go.
   */
  readonly maxEntries: number;
  /** Most bytes kept (estimated from the strings held); the least recently used go first. */
  readonly maxBytes: number;
  /**
   * While the invalidation channel is down, keep serving entries until their TTL (true), or empty
   * the cache and read every token from the store until it reconnects (false, the default).
   */
  readonly serveDuringOutage?: boolean;
}

interface Entry {
  readonly match: TokenMatch;
  readonly storedAt: number;
  readonly bytes: number;
  /** Hit since it last went to the back of the Map: eviction gives it a second chance. */
  used: boolean;
}

// A rough cost of one entry beyond its strings: two objects, dates, map slots.
const ENTRY_OVERHEAD_BYTES = 600;

/**
 * An in-process cache of verified tokens in front of a store's lookup. It is keyed by digest and
 * never sees a key. Unknown digests are not cached (guessing cannot fill it). An invalidation that
 * arrives while a lookup is in flight keeps that lookup's result out (a generation counter), and a
 * cached token that looks expired is read again, since another node may have slid its expiry.
 */
export class TokenCache implements TokenLookup, InvalidationSubscriber {
  readonly #inner: TokenLookup;
  readonly #options: TokenCacheOptions;
  readonly #entries = new Map<string, Entry>();
  // A token can be cached under several digests: its key before and after a rotation made by a
  // process whose invalidation never reached this one (the CLI on SQLite). Each is dropped.
  readonly #digestsByToken = new Map<number, Set<string>>();
  readonly #digestsByUser = new Map<number, Set<string>>();
  #bytes = 0;
  #generation = 0;
  #channelUp = true;
  hits = 0;
  misses = 0;

  constructor(inner: TokenLookup, options: TokenCacheOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  async findTokenByDigest(digest: string): Promise<TokenMatch | null> {
    const now = this.#options.clock.now();
    const hit = this.cachedMatch(digest, now);
    if (hit !== undefined) return hit;
    this.misses++;
    const generation = this.#generation;
    const match = await this.#inner.findTokenByDigest(digest);
    // Cache only what no invalidation could have overtaken, and only while invalidations arrive.
    if (match !== null && generation === this.#generation && this.#channelUp) {
      this.#add(digest, match, now);
    }
    return match;
  }

  /**
   * The match for `digest` when memory can serve it at `now` (a hit), without a promise: fresh,
   * not looking expired, and while invalidations arrive (or `serveDuringOutage`). Otherwise
   * undefined, and a stale entry is dropped; `findTokenByDigest` then reads the store.
   */
  cachedMatch(digest: string, now: number): TokenMatch | undefined {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return undefined;
    const fresh = now - entry.storedAt < this.#options.ttlMs;
    const expires = entry.match.token.expires;
    const looksExpired = expires !== null && expires.getTime() <= now;
    if (fresh && !looksExpired && (this.#channelUp || this.#options.serveDuringOutage)) {
      // Only marked: moving the entry to the back here (a Map delete and set) was a quarter of
      // a hit's cost when many tokens take turns. Eviction moves it instead (see `#add`).
      entry.used = true;
      this.hits++;
      return entry.match;
    }
    this.#remove(digest);
    return undefined;
  }

  /** Drops what an invalidation names; lookups in flight will not put it back. */
  invalidate(invalidation: Invalidation): void {
    this.#generation++;
    if ('all' in invalidation) {
      this.clear();
    } else if ('tokenId' in invalidation) {
      this.#removeAll(this.#digestsByToken.get(invalidation.tokenId));
    } else {
      this.#removeAll(this.#digestsByUser.get(invalidation.userId));
    }
  }

  /** Tells the cache whether invalidations can reach it; a drop empties it (see options). */
  setChannelUp(up: boolean): void {
    this.#generation++;
    this.#channelUp = up;
    if (!up && !this.#options.serveDuringOutage) this.clear();
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#digestsByToken.clear();
    this.#digestsByUser.clear();
    this.#bytes = 0;
  }

  /** Whether invalidations currently reach this cache. */
  get channelUp(): boolean {
    return this.#channelUp;
  }

  /** Entries and estimated bytes held. */
  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  #add(digest: string, match: TokenMatch, now: number): void {
    const { token, user } = match;
    const bytes =
      ENTRY_OVERHEAD_BYTES +
      2 *
        (digest.length +
          token.preview.length +
          (token.name?.length ?? 0) +
          token.scopes.reduce((sum, scope) => sum + scope.length, 0) +
          user.username.length +
          user.email.length +
          user.firstName.length +
          user.lastName.length);
    this.#remove(digest);
    this.#entries.set(digest, { match, storedAt: now, bytes, used: false });
    this.#bytes += bytes;
    addTo(this.#digestsByToken, token.id, digest);
    addTo(this.#digestsByUser, user.id, digest);
    // The oldest entry goes, unless it was hit since it last went to the back: then it goes to
    // the back, unmarked. Each pass either drops an entry or clears a mark, so this ends.
    while (
      this.#entries.size > this.#options.maxEntries ||
      (this.#bytes > this.#options.maxBytes && this.#entries.size > 0)
    ) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, Entry];
      if (entry.used) {
        entry.used = false;
        this.#entries.delete(oldest);
        this.#entries.set(oldest, entry);
      } else {
        this.#remove(oldest);
      }
    }
  }

  #remove(digest: string): void {
    const entry = this.#entries.get(digest);
    if (!entry) return;
    this.#entries.delete(digest);
    this.#bytes -= entry.bytes;
    const { token, user } = entry.match;
    deleteFrom(this.#digestsByToken, token.id, digest);
    deleteFrom(this.#digestsByUser, user.id, digest);
  }

  #removeAll(digests: Set<string> | undefined): void {
    // A copy: removing an entry edits the set being walked.
    if (digests) for (const digest of [...digests]) this.#remove(digest);
  }
}

function addTo(index: Map<number, Set<string>>, id: number, digest: string): void {
  const digests = index.get(id);
  if (digests) digests.add(digest);
  else index.set(id, new Set([digest]));
}

function deleteFrom(index: Map<number, Set<string>>, id: number, digest: string): void {
  const digests = index.get(id);
  digests?.delete(digest);
  if (digests?.size === 0) index.delete(id);
}
