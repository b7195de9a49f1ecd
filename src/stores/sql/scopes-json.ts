import { ALL_SCOPES } from '../../core/tokens/token.js';

const ALL_SCOPES_JSON = JSON.stringify([ALL_SCOPES]);
// Nearly every token has the default scopes: sharing one frozen list spares a parse per request.
const ALL_SCOPES_LIST: readonly string[] = Object.freeze([ALL_SCOPES]);

/** The stored form of a token's scopes: a JSON list of names. */
export function encodeScopes(scopes: readonly string[]): string {
  return JSON.stringify(scopes);
}

// What a column that holds no list of strings (written by hand or another tool) reads as. Scopes
// only ever grant, so no scopes is the narrowest reading: one bad row costs that token its scopes,
// never a 503 for the token or for every listing it appears in.
const NO_SCOPES: readonly string[] = Object.freeze([]);

/** Reads a stored scope list back; a column that is not a JSON list of strings reads as none. */
export function decodeScopes(json: string): readonly string[] {
  if (json === ALL_SCOPES_JSON) return ALL_SCOPES_LIST;
  let scopes: unknown;
  try {
    scopes = JSON.parse(json);
  } catch {
    return NO_SCOPES;
  }
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    return NO_SCOPES;
  }
  return scopes;
}
