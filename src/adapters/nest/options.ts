import type { Authenticator } from '../../core/auth/authenticator.js';
import type { Permission } from '../../core/auth/permissions.js';
import type { View } from '../../core/http/view.js';
import type { AdapterTessera } from '../adapter-tessera.js';

/** Options of `TesseraModule.forRoot`: the tessera, DRF's defaults, and core views to mount. */
export interface TesseraModuleOptions {
  /**
   * What `createTessera` returned: the default authentication is its token authentication
   * (key-guessing limit, cache, events, last-used records), and its body limit applies.
   */
  readonly tessera?: AdapterTessera;
  /** DRF's `DEFAULT_AUTHENTICATION_CLASSES`; default `[tessera.tokenAuthentication]`. */
  readonly authentication?: readonly Authenticator[];
  /**
   * DRF's `DEFAULT_PERMISSION_CLASSES`: default none (`AllowAny`), or `[IsAuthenticated]` with
   * `globalGuard`, which exists to protect every route.
   */
  readonly permissions?: readonly Permission[];
  /**
   * Registers `TesseraGuard` as an `APP_GUARD` (and its filter as an `APP_FILTER`): every route
   * of the app runs DRF's checks with the defaults above, except those marked `@Public()`.
   * Without it, only controllers and handlers with `@Authentication` or `@Permissions` do.
   */
  readonly globalGuard?: boolean;
  /** Core views by path (e.g. `'api-token-auth/'`), each mounted on every method. */
  readonly views?: Readonly<Record<string, View>>;
  /** Largest body a view reads, in bytes (413 beyond). Default the tessera's setting. */
  readonly maxBodyBytes?: number;
}

/** The injection token of the module's options. */
export const TESSERA_OPTIONS = Symbol.for('tessera-auth:nest-options');
