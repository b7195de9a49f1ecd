/** True for the UTF-16 unit of `0`-`9` (Python's `json` and `urllib` know no other digits). */
export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** True for the UTF-16 unit of a hexadecimal digit, `0`-`9`, `A`-`F` or `a`-`f`. */
export function isHexDigit(code: number): boolean {
  return isAsciiDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
