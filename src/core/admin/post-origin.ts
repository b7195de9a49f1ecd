import type { ViewRequest } from '../http/request.js';

/**
 * Django's CSRF origin check, applied to every post: the `Origin` (else the `Referer`) must be
 * the page's own origin or a trusted one, so a post from another site fails even with a token.
 * A post that names neither is refused, as Django refuses one over HTTPS.
 */
export function postOriginAllowed(
  raw: ViewRequest,
  scheme: 'http' | 'https',
  trustedOrigins: ReadonlySet<string>,
): boolean {
  const host = raw.header('host');
  if (!host) return false;
  const own = `${scheme}://${host.toLowerCase()}`;
  const origin = raw.header('origin');
  if (origin !== undefined) return origin.toLowerCase() === own || trustedOrigins.has(origin);
  const referer = raw.header('referer');
  if (!referer) return false;
  try {
    const url = new URL(referer);
    return url.origin === own || trustedOrigins.has(url.origin);
  } catch {
    return false;
  }
}
