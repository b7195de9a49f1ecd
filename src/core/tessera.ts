import { type Clock, systemClock } from './clock.js';
import { TesseraEvents } from './events.js';
import { PasswordHasher } from './passwords/index.js';
import { DEFAULT_SETTINGS, type TesseraSettings } from './settings.js';
import type { Store } from './store.js';
import { TokenAuthentication } from './token-authentication.js';
import type { TokenManagementContext } from './token-management.js';
import { TokenUseRecorder } from './token-use-recorder.js';
import type { View } from './view.js';
import { logoutAllView, logoutView } from './views/logout.js';
import { obtainTokenView } from './views/obtain-token.js';
import { type TokenApiViews, tokenApiViews } from './views/token-api.js';

/** What `createTessera` is built from; everything but the store has a default. */
export interface TesseraOptions {
  readonly store: Store;
  readonly settings?: Partial<TesseraSettings>;
  readonly clock?: Clock;
  readonly passwords?: PasswordHasher;
  /** Told about failures off the request's path (last-used writes, re-hashes, event listeners). */
  readonly onBackgroundError?: (error: unknown) => void;
}

/** tessera wired for one app: authentication, events, and the views DRF and knox provide. */
export interface Tessera extends TokenManagementContext {
  readonly store: Store;
  readonly settings: TesseraSettings;
  readonly clock: Clock;
  readonly events: TesseraEvents;
  readonly passwords: PasswordHasher;
  readonly usage: TokenUseRecorder;
  readonly tokenAuthentication: TokenAuthentication;
  readonly views: {
    /** DRF's obtain-token: mount at `/api-token-auth/`. */
    readonly obtainToken: View;
    /** knox's logout: mount at `/api-token-auth/logout/`. */
    readonly logout: View;
    /** knox's logoutall: mount at `/api-token-auth/logoutall/`. */
    readonly logoutAll: View;
    /** The token API: mount at `/api/tokens/`, `/api/tokens/:id/`, `/api/tokens/:id/rotate/`. */
    readonly tokens: TokenApiViews;
  };
  /** Writes pending token uses; call before closing the store. */
  close(): Promise<void>;
}

/**
 * Wires tessera for an app from a store and settings.
 * @example
 * const tessera = createTessera({ store });
 * defineView({ authentication: [tessera.tokenAuthentication], permissions: [IsAuthenticated], post });
 */
export function createTessera(options: TesseraOptions): Tessera {
  const settings: TesseraSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const onBackgroundError = options.onBackgroundError ?? (() => {});
  const events = new TesseraEvents(onBackgroundError);
  const passwords =
    options.passwords ??
    new PasswordHasher({
      iterations: settings.passwordIterations,
      concurrency: settings.passwordConcurrency,
    });
  const usage = new TokenUseRecorder({
    store,
    clock,
    trackLastUsed: settings.trackLastUsed,
    onError: onBackgroundError,
  });
  const tokenAuthentication = new TokenAuthentication({
    store,
    keywords: settings.keywords,
    clock,
    events,
    usage,
  });
  const context: TokenManagementContext = { store, clock, events };
  return {
    store,
    settings,
    clock,
    events,
    passwords,
    usage,
    tokenAuthentication,
    views: {
      obtainToken: obtainTokenView({
        store,
        passwords,
        clock,
        events,
        loginTokenLimit: settings.loginTokenLimit,
        loginTokenLifetimeSeconds: settings.loginTokenLifetimeSeconds,
        reportError: onBackgroundError,
      }),
      logout: logoutView(context, tokenAuthentication),
      logoutAll: logoutAllView(context, tokenAuthentication),
      tokens: tokenApiViews(context, tokenAuthentication),
    },
    close: () => usage.close(),
  };
}
