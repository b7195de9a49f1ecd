import { isHexDigit } from './ascii-digits.js';
import { decodeReplace, type PythonCodec } from './python-codec.js';

// urllib.parse.unquote_to_bytes on an ASCII run: `%` and two hex digits is a byte, any other `%`
// stays as it is.
function unquoteToBytes(run: string): Uint8Array {
  const bytes = new Uint8Array(run.length);
  let length = 0;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    if (code === 0x25 && isHexDigit(run.charCodeAt(i + 1)) && isHexDigit(run.charCodeAt(i + 2))) {
      bytes[length++] = Number.parseInt(run.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[length++] = code;
    }
  }
  return bytes.subarray(0, length);
}

/**
 * Python's `urllib.parse.unquote(text, codec, errors='replace')`: each run of ASCII characters is
 * percent-decoded to bytes and decoded with the codec; other characters pass through unchanged,
 * so an escape never combines with a neighbouring non-ASCII character.
 */
export function percentDecode(text: string, codec: PythonCodec): string {
  if (!text.includes('%')) return text;
  return text.replace(/[^\u0080-\uffff]+/g, (run) =>
    run.includes('%') ? decodeReplace(unquoteToBytes(run), codec) : run,
  );
}
