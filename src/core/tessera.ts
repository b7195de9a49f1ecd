import { type AdminViewOptions, adminView } from './admin/admin-view.js';
import { type ClientAddressResolver, clientAddressResolver } from './auth/client-address.js';
import { LiveDrfKeys } from './auth/live-drf-keys.js';
import { TokenAuthentication } from './auth/token-authentication.js';
import { passwordHasherFromSettings } from './config/password-hasher-from-settings.js';
import { SETTING_DEFINITIONS } from './config/setting-definitions.js';
import { type LibrarySettings, resolveSettings } from './config/settings.js';
import { SettingsError } from './config/settings-error.js';
import { TesseraEvents } from './events.js';
import type { View } from './http/view.js';
import { type DocsViewOptions, docsView } from './openapi/docs-view.js';
import { type OpenApiDocumentOptions, openApiDocument } from './openapi/openapi-document.js';
import { schemaView } from './openapi/schema-view.js';
import type { PasswordHasher } from './passwords/index.js';
import type { Store } from './store.js';
import { keyGuessLimit } from './throttling/key-guess-limit.js';
import { LoginThrottle } from './throttling/login-throttle.js';
import { MemoryThrottleBackend } from './throttling/memory-throttle-backend.js';
import type { ThrottleBackend } from './throttling/throttle-backend.js';
import { type Clock, systemClock } from './time/clock.js';
import { liveModeUnsupported } from './tokens/drf-token-reader.js';
import { TokenCache } from './tokens/token-cache.js';
import type { TokenManagementContext } from './tokens/token-management.js';
import { TokenUseRecorder } from './tokens/token-use-recorder.js';
import { forwardAuthView } from './views/forward-auth.js';
import { logoutAllView, logoutView } from './views/logout.js';
import { obtainTokenView } from './views/obtain-token.js';
import { type TokenApiViews, tokenApiViews } from './views/token-api.js';

/** What `createTessera` is built from; everything but the store has a default. */
export interface TesseraOptions {
  readonly store: Store;
  /**
   * The library's settings (docs/settings.md); a store or server setting here is a
   * `SettingsError` naming where it goes, never silently ignored.
   */
  readonly settings?: Partial<LibrarySettings>;
  readonly clock?: Clock;
  readonly passwords?: PasswordHasher;
  /**
   * Told about failures off the request's path: last-used writes, re-hashes, event listeners,
   * and the invalidation listeners (PostgreSQL LISTEN, Redis subscribe) the token cache uses.
   * Default: written to stderr.
   */
  readonly onBackgroundError?: (error: unknown) => void;
  /** Where throttle counts live; default this process's memory (a Redis one shares them). */
  readonly throttleBackend?: ThrottleBackend;
  /** Told about configuration problems seen while serving, e.g. an ignored `X-Forwarded-For`. */
  readonly onWarning?: (message: string) => void;
}

/** The warning logged the first time an `X-Forwarded-For` header is ignored. */
export const IGNORED_FORWARDED_FOR_WARNING =
  'X-Forwarded-For is ignored: no proxy is trusted, so clients are counted by the peer address. ' +
  'Behind reverse proxies, set TESSERA_NUM_PROXIES (settings.numProxies) to their number.';

/** The warning logged the first time the `X-Forwarded-For` entry of the client is no IP address. */
export const UNTRUSTED_FORWARDED_FOR_WARNING =
  'X-Forwarded-For held no IP address where the trusted proxies write the client, so that ' +
  'request was counted by the peer address. Check TESSERA_NUM_PROXIES (settings.numProxies) ' +
  'against the proxies in front of the server.';

/** tessera wired for one app: authentication, events, and the views DRF and knox provide. */
export interface Tessera extends TokenManagementContext {
  readonly store: Store;
  /** The library settings in force: those given, the defaults for the rest. */
  readonly settings: LibrarySettings;
  readonly clock: Clock;
  readonly events: TesseraEvents;
  readonly passwords: PasswordHasher;
  readonly usage: TokenUseRecorder;
  readonly tokenAuthentication: TokenAuthentication;
  /**
   * The cache of verified tokens (on by default; null when `settings.tokenCacheSeconds` is null).
   * It holds nothing while the store cannot carry other processes' revocations (`channelUp`).
   */
  readonly tokenCache: TokenCache | null;
  /** Where throttle counts live; give it to your own throttles (`UserRateThrottle`, …). */
  readonly throttleBackend: ThrottleBackend;
  /** The client address by `settings.numProxies`; give it to your own throttles. */
  readonly clientAddress: ClientAddressResolver;
  /** Limits failed logins on obtain-token (`settings.loginFailuresPer*`). */
  readonly loginThrottle: LoginThrottle;
  readonly views: {
    /** DRF's obtain-token: mount at `/api-token-auth/`. */
    readonly obtainToken: View;
    /** knox's logout: mount at `/api-token-auth/logout/`. */
    readonly logout: View;
    /** knox's logoutall: mount at `/api-token-auth/logoutall/`. */
    readonly logoutAll: View;
    /** The token API: mount at `/api/tokens/`, `/api/tokens/:id/`, `/api/tokens/:id/rotate/`. */
    readonly tokens: TokenApiViews;
    /** Forward auth for nginx, Traefik and Caddy: mount at `/auth/verify/` (docs/forward-auth.md). */
    readonly forwardAuth: View;
    /** DRF's schema view: the OpenAPI document of `routes`; mount at `/api/schema/` (docs/openapi.md). */
    readonly schema: (document: OpenApiDocumentOptions) => View;
    /** Swagger UI on the schema view: mount at `/api/docs/` and `/api/docs/:asset`. */
    readonly docs: (options?: DocsViewOptions) => View;
    /** The admin page for staff: mount at `/admin/` and `/admin/:page/` (docs/admin.md). */
    readonly admin: (options?: AdminViewOptions) => View;
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
  const settings = resolveSettings('library', options.settings, 'createTessera');
  const { store } = options;
  const clock = options.clock ?? systemClock;
  // Unheard, a failure off the request's path (a listener refused its credentials) would leave
  // the app degraded with no trace: by default it goes to stderr, as an unhandled error would.
  const onBackgroundError =
    options.onBackgroundError ??
    ((error: unknown) => console.error('tessera: background task failed', error));
  const events = new TesseraEvents(onBackgroundError);
  // Checked before anything is started or subscribed: a refused setting leaves nothing behind.
  const live = liveDrfKeysOption(store, settings, options.onWarning, onBackgroundError);
  const passwords = options.passwords ?? passwordHasherFromSettings(settings);
  const usage = new TokenUseRecorder({
    store,
    clock,
    trackLastUsed: settings.trackLastUsed,
    onError: onBackgroundError,
  });
  const throttleBackend = options.throttleBackend ?? new MemoryThrottleBackend();
  const clientAddress = clientAddressResolver({
    numProxies: settings.numProxies,
    onIgnoredForwardedFor: () => options.onWarning?.(IGNORED_FORWARDED_FOR_WARNING),
    onUntrustedForwardedFor: () => options.onWarning?.(UNTRUSTED_FORWARDED_FOR_WARNING),
  });
  const loginThrottle = new LoginThrottle({
    backend: throttleBackend,
    clock,
    perUserAndAddress: settings.loginFailuresPerUserIp,
    perUser: settings.loginFailuresPerUser,
    perAddress: settings.loginFailuresPerIp,
  });
  // The token cache (on by default, `tokenCacheSeconds: null` turns it off) sits in front of the
  // store's lookup and listens for invalidations; it serves only while the store's channel is up.
  const cache =
    settings.tokenCacheSeconds === null
      ? null
      : new TokenCache(store, {
          clock,
          ttlMs: settings.tokenCacheSeconds * 1000,
          maxEntries: settings.tokenCacheMaxEntries,
          maxBytes: settings.tokenCacheMaxBytes,
          serveDuringOutage: settings.tokenCacheDuringOutage,
        });
  // A store keeps the cache off (channel down) while it cannot hear other processes' revocations;
  // one whose triggers are missing says so once, as the configuration problem it is.
  const unsubscribe = cache
    ? store.subscribeInvalidations({
        invalidate: (invalidation) => cache.invalidate(invalidation),
        setChannelUp: (up) => cache.setChannelUp(up),
        channelFailed: (error) =>
          error.name === 'ChangeTriggersMissing' && options.onWarning
            ? options.onWarning(error.message)
            : onBackgroundError(error),
      })
    : () => {};
  const tokenAuthentication = new TokenAuthentication({
    store: cache ?? store,
    keywords: settings.keywords,
    clock,
    events,
    usage,
    keyGuessLimit: keyGuessLimit(throttleBackend, settings.keyFailuresPerIp, clock),
    clientAddress,
    legacyKeys: settings.legacyKeys,
    ...live,
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
    tokenCache: cache,
    throttleBackend,
    clientAddress,
    loginThrottle,
    views: {
      obtainToken: obtainTokenView({
        store,
        passwords,
        clock,
        events,
        loginTokenLimit: settings.loginTokenLimit,
        loginTokenLifetimeSeconds: settings.loginTokenLifetimeSeconds,
        reportError: onBackgroundError,
        loginThrottle,
        clientAddress,
      }),
      logout: logoutView(context, tokenAuthentication),
      logoutAll: logoutAllView(context, tokenAuthentication),
      tokens: tokenApiViews(context, tokenAuthentication),
      forwardAuth: forwardAuthView(tokenAuthentication),
      schema: (document) => schemaView(openApiDocument(document)),
      // A key pasted alone in Swagger UI gets the keyword this tessera reads first.
      docs: (docsOptions) => docsView({ keyword: tokenAuthentication.keywords[0], ...docsOptions }),
      admin: (adminOptions) =>
        adminView(
          {
            store,
            clock,
            events,
            passwords,
            loginThrottle,
            clientAddress,
            trustForwardedProto: settings.numProxies !== null,
          },
          adminOptions,
        ),
    },
    close: async () => {
      unsubscribe();
      await usage.close();
      // A backend passed in belongs to the caller, who closes it.
      if (!options.throttleBackend) await throttleBackend.close();
    },
  };
}

// Live mode (`drfTokens: 'read'`): checked here, where a wrong combination is a `SettingsError`
// before anything runs. The table itself is checked at start by `tessera serve` and
// `buildServer`; a library app without it answers live keys 503 and is told once why.
function liveDrfKeysOption(
  store: Store,
  settings: LibrarySettings,
  onWarning: ((message: string) => void) | undefined,
  onBackgroundError: (error: unknown) => void,
): { liveDrfKeys?: LiveDrfKeys } {
  const { drfTokens, legacyKeys } = settings;
  if (drfTokens !== 'off' && drfTokens !== 'read') {
    throw new SettingsError(`drfTokens must be 'off' or 'read', not ${JSON.stringify(drfTokens)}`);
  }
  if (drfTokens === 'off') return {};
  if (!legacyKeys) {
    throw new SettingsError(
      `${SETTING_DEFINITIONS.drfTokens.env}=read reads DRF's keys, which ` +
        `${SETTING_DEFINITIONS.legacyKeys.env}=false refuses: turn one of them around`,
    );
  }
  const reader = store.drfTokens?.();
  if (reader === undefined) throw new SettingsError(liveModeUnsupported(store.dialect));
  return {
    liveDrfKeys: new LiveDrfKeys({
      reader,
      onTableAbsent: (error) => (onWarning ? onWarning(error.message) : onBackgroundError(error)),
    }),
  };
}
