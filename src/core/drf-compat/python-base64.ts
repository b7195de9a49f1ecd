// The base64 alphabet's values by byte; anything else is skipped by a lenient decode.
const VALUES = new Int8Array(256).fill(-1);
for (const [index, char] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
].entries()) {
  VALUES[char.charCodeAt(0)] = index;
}

/**
 * Python's `base64.b64decode(data)` (binascii `a2b_base64`, not strict): bytes outside the
 * alphabet are skipped, complete padding ends the input, and undefined stands for the
 * `binascii.Error` raised on a truncated quantum.
 */
export function decodeBase64Lenient(data: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(Math.ceil((data.length * 3) / 4));
  let length = 0;
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const byte of data) {
    if (byte === 0x3d) {
      if (quad >= 2) {
        pads++;
        if (quad + pads >= 4) return out.subarray(0, length);
      }
      continue;
    }
    const value = VALUES[byte] as number;
    if (value < 0) continue;
    pads = 0;
    if (quad === 0) {
      left = value;
    } else if (quad === 1) {
      out[length++] = (left << 2) | (value >> 4);
      left = value & 0x0f;
    } else if (quad === 2) {
      out[length++] = (left << 4) | (value >> 2);
      left = value & 0x03;
    } else {
      out[length++] = (left << 6) | value;
    }
    quad = (quad + 1) % 4;
  }
  return quad === 0 ? out.subarray(0, length) : undefined;
}
