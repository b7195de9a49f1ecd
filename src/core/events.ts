import type { TokenKind } from './tokens/token.js';

/** Why a token authentication failed; never the key itself. */
export type AuthenticationFailureReason =
  | 'no_credentials'
  | 'invalid_header'
  | 'malformed_key'
  | 'invalid_token'
  | 'expired'
  | 'inactive_user';

/** Why tokens were revoked. */
export type RevocationReason = 'revoked' | 'logout' | 'logoutall' | 'password_changed' | 'replaced';

/** Every event tessera emits, with its payload: ids and reasons only, never a key or digest. */
export interface TesseraEventMap {
  authenticated: { readonly userId: number; readonly tokenId: number; readonly kind: TokenKind };
  authentication_failed: {
    readonly reason: AuthenticationFailureReason;
    readonly tokenId?: number;
    readonly userId?: number;
    readonly remoteAddress?: string;
  };
  token_created: {
    readonly tokenId: number;
    readonly userId: number;
    readonly kind: TokenKind;
    readonly name: string | null;
  };
  token_rotated: { readonly tokenId: number; readonly userId: number };
  token_revoked: {
    readonly userId: number;
    /** The one token revoked, or undefined when all of the user's tokens went. */
    readonly tokenId?: number;
    readonly count: number;
    readonly reason: RevocationReason;
  };
  /** A change made in the admin page (or a sign-in to it), naming the staff member who made it. */
  admin_action: {
    readonly actorId: number;
    readonly actor: string;
    /** `sign_in`, `sign_out`, `token_created`, `token_rotated`, `token_revoked`, `activate`, … */
    readonly action: string;
    readonly userId?: number;
    readonly tokenId?: number;
  };
}

/** An event's name. */
export type TesseraEventName = keyof TesseraEventMap;

type Listener<Name extends TesseraEventName> = (payload: TesseraEventMap[Name]) => void;

/**
 * The events an app can keep an audit log from. Listeners run synchronously; one that throws is
 * reported through `onListenerError` and never fails the request.
 * @example
 * tessera.events.on('token_revoked', (event) => audit.write(event));
 */
export class TesseraEvents {
  readonly #listeners: { [Name in TesseraEventName]?: Listener<Name>[] } = {};
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  on<Name extends TesseraEventName>(name: Name, listener: Listener<Name>): () => void {
    let list = this.#listeners[name] as Listener<Name>[] | undefined;
    if (!list) {
      list = [];
      (this.#listeners as Record<Name, Listener<Name>[]>)[name] = list;
    }
    list.push(listener);
    return () => {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /**
   * Whether `name` has a listener now. The request path asks before building a payload, so an
   * event nobody listens to costs no object.
   */
  listens(name: TesseraEventName): boolean {
    const list = this.#listeners[name];
    return list !== undefined && list.length > 0;
  }

  emit<Name extends TesseraEventName>(name: Name, payload: TesseraEventMap[Name]): void {
    const list = this.#listeners[name] as Listener<Name>[] | undefined;
    if (!list) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
