// Characters that move a terminal's cursor or reorder what it shows: C0 controls, DEL, C1
// controls (U+009B is a one-character CSI on some terminals), the line and paragraph separators,
// and the bidirectional controls of "Trojan Source" (CVE-2021-42574). Other format characters
// (a zero-width joiner inside an emoji, a soft hyphen) stay: they reorder and erase nothing.
const CONTROL_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function codePoint(character: string): string {
  return (character.charCodeAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
}

/** The first character of `text` that could steer a terminal, as `U+001B`; null when none. */
export function firstControlCharacter(text: string): string | null {
  const at = text.search(CONTROL_CHARACTERS);
  return at === -1 ? null : `U+${codePoint(text.charAt(at))}`;
}

/**
 * `text` with every character that could steer a terminal written as a `\u001b` escape, which
 * reads plainly in a table and stays valid inside a JSON string.
 * @example
 * escapeControlCharacters('ci\x1b[2J'); // 'ci\\u001b[2J'
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (character) => `\\u${codePoint(character).toLowerCase()}`,
  );
}
