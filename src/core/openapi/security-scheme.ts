import type { Authenticator } from '../auth/authenticator.js';

/** An OpenAPI security scheme for a keyword-and-key `Authorization` header. */
export interface ApiKeySecurityScheme {
  readonly type: 'apiKey';
  readonly in: 'header';
  readonly name: 'Authorization';
  readonly description: string;
}

/** The scheme's name in `components.securitySchemes`: `tokenAuth` for `Token` (drf-spectacular's). */
export function securitySchemeName(keyword: string): string {
  return `${keyword.toLowerCase().replace(/[^a-z0-9]/g, '')}Auth`;
}

/**
 * An authenticator's scheme as drf-spectacular describes DRF's `TokenAuthentication`: an API
 * key in the `Authorization` header, its value the keyword, a space and the key. OpenAPI's
 * `http` schemes cannot say `Token`, which is no registered HTTP authentication scheme.
 * Undefined for an authenticator without a `WWW-Authenticate` keyword: nothing to describe.
 */
export function securitySchemeOf(
  authenticator: Authenticator,
): { readonly name: string; readonly scheme: ApiKeySecurityScheme } | undefined {
  const keyword = authenticator.authenticateHeader?.();
  if (!keyword) return undefined;
  return {
    name: securitySchemeName(keyword),
    scheme: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description:
        `Token-based authentication with required prefix "${keyword}": the header's value is ` +
        `\`${keyword} <key>\`, e.g. \`${keyword} tsr_…\`. Get a key from \`POST /api-token-auth/\` ` +
        'or `tessera drf_create_token`.',
    },
  };
}
