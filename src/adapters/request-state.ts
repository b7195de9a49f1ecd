import type { Token } from '../core/tokens/token.js';
import type { RequestUser } from '../core/users/user.js';

/** Who a request is, as tessera's checks found: DRF's `request.user` and `request.auth`. */
export interface TesseraRequestState {
  /** The user tessera authenticated, or Django's anonymous user. */
  readonly user: RequestUser;
  /** The token that authenticated the request, or null (DRF's `request.auth`). */
  readonly auth: Token | null;
}
