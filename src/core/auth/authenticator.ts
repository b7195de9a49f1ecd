import type { ViewRequest } from '../http/request.js';
import type { Token } from '../tokens/token.js';
import type { User } from '../users/user.js';

/** The outcome of a successful authentication: DRF's `(user, auth)` tuple. */
export interface Authentication {
  readonly user: User;
  readonly auth: Token | null;
}

/**
 * DRF's authentication contract: return `null` for "not my scheme, try the next one", throw
 * `AuthenticationFailed` for "my scheme, bad credentials", or return the user and token.
 */
export interface Authenticator {
  authenticate(request: ViewRequest): Promise<Authentication | null> | Authentication | null;
  /**
   * The `WWW-Authenticate` value. When the view's first authenticator has one, a failed or
   * missing authentication answers 401 with it; otherwise 403 (DRF's rule).
   */
  authenticateHeader?(): string | undefined;
}
