import type { Authenticator } from '../core/auth/authenticator.js';
import type { Tessera } from '../core/tessera.js';

/**
 * What an adapter takes from `createTessera`'s result: its token authentication (with the
 * key-guessing limit, the token cache, events and last-used records) and its settings (the body
 * limit). Adapters take this, never a bare store, so there is one way to build authentication.
 */
export type AdapterTessera = Pick<Tessera, 'tokenAuthentication' | 'settings'>;

/** DRF's authenticators of a route: the ones given, else the tessera's token authentication. */
export function authenticationOf(
  given: readonly Authenticator[] | undefined,
  tessera: AdapterTessera | undefined,
): readonly Authenticator[] {
  return given ?? (tessera ? [tessera.tokenAuthentication] : []);
}

/** The body limit an adapter enforces: the one given, else the tessera's, else the core default. */
export function bodyLimitOf(
  given: number | undefined,
  tessera: AdapterTessera | undefined,
): number | undefined {
  return given ?? tessera?.settings.maxBodyBytes;
}

/**
 * Fails fast for a JavaScript caller still passing `{ store }`: adapters once built token
 * authentication from it, with no key-guessing limit, no cache and no events.
 */
export function refuseBareStore(options: object, entry: string): void {
  if ('store' in options) {
    throw new TypeError(
      `tessera: ${entry} takes { tessera } (what createTessera({ store }) returns), not { store }`,
    );
  }
}

// Hosts already warned about their proxy setting: once each, not once a request.
const warnedHosts = new WeakSet<object>();

/**
 * Warns once per host app whose framework trusts `X-Forwarded-For` (Express's `trust proxy`,
 * Fastify's `trustProxy`): tessera does not follow it, as a client can write that header. It
 * takes the socket's peer address and `settings.numProxies` (TESSERA_NUM_PROXIES), so one client
 * rotating the header still meets the key-guessing and login limits.
 */
export function warnOfHostProxyTrust(
  host: object,
  setting: string,
  trusted: unknown,
  warn: (message: string) => void,
): void {
  if (!trusted || warnedHosts.has(host)) return;
  warnedHosts.add(host);
  warn(
    `tessera: the app sets ${setting}, which tessera does not follow: it counts clients by the ` +
      'peer address and settings.numProxies (TESSERA_NUM_PROXIES). Behind reverse proxies, ' +
      'set numProxies to their number.',
  );
}
