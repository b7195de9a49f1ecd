import { ALL_SCOPES } from '../../core/token.js';

const ALL_SCOPES_JSON = JSON.stringify([ALL_SCOPES]);
// Nearly every token has the default scopes: sharing one frozen list spares a parse per request.
const ALL_SCOPES_LIST: readonly string[] = Object.freeze([ALL_SCOPES]);

/** The stored form of a token's scopes: a JSON list of names. */
export function encodeScopes(scopes: readonly string[]): string {
  return JSON.stringify(scopes);
}

/** Reads a stored scope list back; throws when the column does not hold a list of strings. */
export function decodeScopes(json: string): readonly string[] {
  if (json === ALL_SCOPES_JSON) return ALL_SCOPES_LIST;
  const scopes: unknown = JSON.parse(json);
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    throw new TypeError('tessera_token.scopes is not a JSON list of strings');
  }
  return scopes;
}
