import type { Authentication, Authenticator } from './authenticator.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import { AuthenticationFailed } from './errors.js';
import { isWellFormedKey, keyDigest } from './key-format.js';
import type { ViewRequest } from './request.js';
import type { TokenLookup } from './store.js';

/** Options of `TokenAuthentication`. */
export interface TokenAuthenticationOptions {
  /** Where tokens are looked up by digest. */
  readonly store: TokenLookup;
  /**
   * Accepted `Authorization` schemes, matched case-insensitively. The first one is sent in
   * `WWW-Authenticate`. Default `['Token']`, as DRF; adding `Bearer` changes DRF's answer to
   * `Bearer <key>` from "not my scheme" to a token check.
   */
  readonly keywords?: readonly string[];
}

/**
 * DRF's `TokenAuthentication` over hashed keys: `Authorization: Token <key>`.
 * @example
 * const tokenAuthentication = new TokenAuthentication({ store });
 * defineView({ authentication: [tokenAuthentication], permissions: [IsAuthenticated], post });
 */
export class TokenAuthentication implements Authenticator {
  readonly keywords: readonly string[];
  private readonly lowercaseKeywords: readonly string[];
  private readonly store: TokenLookup;

  constructor(options: TokenAuthenticationOptions) {
    this.store = options.store;
    this.keywords = options.keywords?.length ? options.keywords : ['Token'];
    this.lowercaseKeywords = this.keywords.map((keyword) => keyword.toLowerCase());
  }

  async authenticate(request: ViewRequest): Promise<Authentication | null> {
    const key = parseAuthorizationHeader(request.header('authorization'), this.lowercaseKeywords);
    if (key === null) return null;
    return this.authenticateCredentials(key);
  }

  /** Checks a key already taken out of its header (DRF's `authenticate_credentials`). */
  async authenticateCredentials(key: string): Promise<Authentication> {
    // A key that fails the grammar or its checksum cannot exist: refuse it without a read.
    if (!isWellFormedKey(key)) throw new AuthenticationFailed('Invalid token.');
    // Lookup by digest: the database never sees the key, and timing depends only on the digest.
    const match = await this.store.findTokenByDigest(keyDigest(key));
    if (match === null) throw new AuthenticationFailed('Invalid token.');
    if (!match.user.isActive) throw new AuthenticationFailed('User inactive or deleted.');
    return { user: match.user, auth: match.token };
  }

  authenticateHeader(): string {
    return this.keywords[0] as string;
  }
}
