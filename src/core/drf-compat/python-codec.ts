/**
 * The text codecs a request's `charset` can name, decoded exactly as CPython 3.11 decodes them
 * (Django hands the charset to Python's codec machinery unchanged).
 */
export type PythonCodec = 'utf-8' | 'utf-8-sig' | 'latin-1' | 'ascii';

/** A decoded text, or the message of the `UnicodeDecodeError` Python raises. */
export type DecodeResult = { readonly text: string } | { readonly error: string };

// encodings/aliases.py entries that lead to the codecs above. Any other name is decoded as UTF-8:
// what Django does for names Python does not know, but not for those it maps to other codecs
// (utf-16, cp1252…), which tessera does not decode.
const ALIASES: ReadonlyMap<string, PythonCodec> = new Map(
  Object.entries({
    u8: 'utf-8',
    utf: 'utf-8',
    utf8: 'utf-8',
    utf8_ucs2: 'utf-8',
    utf8_ucs4: 'utf-8',
    cp65001: 'utf-8',
    '8859': 'latin-1',
    cp819: 'latin-1',
    csisolatin1: 'latin-1',
    ibm819: 'latin-1',
    iso8859: 'latin-1',
    iso8859_1: 'latin-1',
    iso_8859_1: 'latin-1',
    iso_8859_1_1987: 'latin-1',
    iso_ir_100: 'latin-1',
    l1: 'latin-1',
    latin: 'latin-1',
    latin1: 'latin-1',
    '646': 'ascii',
    'ansi_x3.4_1968': 'ascii',
    'ansi_x3.4_1986': 'ascii',
    ansi_x3_4_1968: 'ascii',
    cp367: 'ascii',
    csascii: 'ascii',
    ibm367: 'ascii',
    iso646_us: 'ascii',
    'iso_646.irv_1991': 'ascii',
    iso_ir_6: 'ascii',
    us: 'ascii',
    us_ascii: 'ascii',
  } as const),
);

// Modules of the `encodings` package for those codecs, found by name when no alias matches.
const MODULES: ReadonlyMap<string, PythonCodec> = new Map(
  Object.entries({
    utf_8: 'utf-8',
    utf_8_sig: 'utf-8-sig',
    latin_1: 'latin-1',
    iso8859_1: 'latin-1',
    ascii: 'ascii',
  } as const),
);

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a);
}

// CPython's `_Py_normalize_encoding`: ASCII letters, digits and dots kept (lower-cased), every run
// of other characters (non-ASCII ones included) becomes one `_` between kept characters.
function normalizeCodecName(name: string): string {
  const lower = name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  let normalized = '';
  let punctuation = false;
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (isAsciiAlphanumeric(code) || code === 0x2e) {
      if (punctuation && normalized !== '') normalized += '_';
      punctuation = false;
      normalized += lower[i];
    } else {
      punctuation = true;
    }
  }
  return normalized;
}

/**
 * The codec Python's `codecs.lookup(name)` finds, when it is one tessera decodes; `undefined` for
 * any other name (Django then keeps its default, UTF-8).
 */
export function lookupPythonCodec(name: string): PythonCodec | undefined {
  const normalized = normalizeCodecName(name);
  // encodings.search_function: the alias (also with dots read as underscores), else the module
  // of that name, never a name that still contains a dot.
  const aliased = ALIASES.get(normalized) ?? ALIASES.get(normalized.replaceAll('.', '_'));
  if (aliased) return aliased;
  return normalized.includes('.') ? undefined : MODULES.get(normalized);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0xbf;
}

type Utf8Step =
  | { readonly kind: 'char'; readonly length: number }
  | { readonly kind: 'truncated' }
  | { readonly kind: 'invalid-start' }
  | { readonly kind: 'invalid-continuation'; readonly length: number };

// One step of CPython's UTF-8 decoder (Objects/stringlib/codecs.h): which bytes form a character,
// and, for an error, how many bytes Python reports as the bad sequence.
function utf8Step(bytes: Uint8Array, at: number): Utf8Step {
  const first = bytes[at] as number;
  const left = bytes.length - at;
  if (first < 0x80) return { kind: 'char', length: 1 };
  if (first < 0xc2) return { kind: 'invalid-start' };
  const second = bytes[at + 1];
  if (first < 0xe0) {
    if (left < 2) return { kind: 'truncated' };
    return isContinuation(second)
      ? { kind: 'char', length: 2 }
      : { kind: 'invalid-continuation', length: 1 };
  }
  if (first < 0xf0) {
    const badSecond =
      !isContinuation(second) ||
      (first === 0xe0 && (second as number) < 0xa0) ||
      (first === 0xed && (second as number) >= 0xa0);
    if (left < 2) return { kind: 'truncated' };
    if (badSecond) return { kind: 'invalid-continuation', length: 1 };
    if (left < 3) return { kind: 'truncated' };
    return isContinuation(bytes[at + 2])
      ? { kind: 'char', length: 3 }
      : { kind: 'invalid-continuation', length: 2 };
  }
  if (first < 0xf5) {
    const badSecond =
      !isContinuation(second) ||
      (first === 0xf0 && (second as number) < 0x90) ||
      (first === 0xf4 && (second as number) >= 0x90);
    if (left < 2) return { kind: 'truncated' };
    if (badSecond) return { kind: 'invalid-continuation', length: 1 };
    if (left < 3) return { kind: 'truncated' };
    if (!isContinuation(bytes[at + 2])) return { kind: 'invalid-continuation', length: 2 };
    if (left < 4) return { kind: 'truncated' };
    return isContinuation(bytes[at + 3])
      ? { kind: 'char', length: 4 }
      : { kind: 'invalid-continuation', length: 3 };
  }
  return { kind: 'invalid-start' };
}

/** Where a decode failed: `bytes[start..end)` could not be decoded with `codec`, and why. */
interface DecodeFailure {
  readonly codec: string;
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly why: string;
}

// The message of Python's UnicodeDecodeError.
function decodeMessage({ codec, bytes, start, end, why }: DecodeFailure): string {
  const where =
    end - start === 1
      ? `byte 0x${(bytes[start] as number).toString(16).padStart(2, '0')} in position ${start}`
      : `bytes in position ${start}-${end - 1}`;
  return `'${codec}' codec can't decode ${where}: ${why}`;
}

/** The bytes of a string of one character per byte: the inverse of `latin1`. */
export function binaryToBytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Bytes as a string of one character per byte (Python's latin-1). */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x2000) {
    text += String.fromCharCode(...bytes.subarray(at, at + 0x2000));
  }
  return text;
}

type Utf8Mode = 'stream' | 'final' | 'replace';

// The slow path, for input the fast WHATWG decoder refused: CPython's loop, error for error.
function decodeUtf8Python(bytes: Uint8Array, mode: Utf8Mode): DecodeResult {
  const parts: string[] = [];
  let runStart = 0;
  let at = 0;
  const flush = (end: number) => {
    if (end > runStart) parts.push(strictUtf8.decode(bytes.subarray(runStart, end)));
  };
  while (at < bytes.length) {
    const step = utf8Step(bytes, at);
    if (step.kind === 'char') {
      at += step.length;
      continue;
    }
    flush(at);
    let end: number;
    let why: string;
    if (step.kind === 'truncated') {
      // A stream reader (final=False) keeps an unfinished sequence for a next read that never
      // comes: DRF's JSONParser silently drops it.
      if (mode === 'stream') return { text: parts.join('') };
      end = bytes.length;
      why = 'unexpected end of data';
    } else if (step.kind === 'invalid-start') {
      end = at + 1;
      why = 'invalid start byte';
    } else {
      // CPython also treats a lone ED A0..BF at the very end as unfinished when not final.
      if (mode === 'stream' && step.length === 1 && bytes.length - at === 2) {
        const second = bytes[at + 1] as number;
        if (bytes[at] === 0xed && second >= 0xa0 && second <= 0xbf) return { text: parts.join('') };
      }
      end = at + step.length;
      why = 'invalid continuation byte';
    }
    if (mode !== 'replace')
      return { error: decodeMessage({ codec: 'utf-8', bytes, start: at, end, why }) };
    parts.push('\ufffd');
    at = end;
    runStart = end;
  }
  flush(at);
  return { text: parts.join('') };
}

function decodeUtf8(bytes: Uint8Array, mode: Utf8Mode): DecodeResult {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return decodeUtf8Python(bytes, mode);
  }
}

function decodeAscii(bytes: Uint8Array, replace: boolean): DecodeResult {
  for (let at = 0; at < bytes.length; at++) {
    if ((bytes[at] as number) < 0x80) continue;
    if (!replace) {
      return {
        error: decodeMessage({
          codec: 'ascii',
          bytes,
          start: at,
          end: at + 1,
          why: 'ordinal not in range(128)',
        }),
      };
    }
    return { text: latin1(bytes).replace(/[\x80-\xff]/g, '\ufffd') };
  }
  return { text: latin1(bytes) };
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

// The utf-8-sig codec drops a leading BOM and decodes the rest as UTF-8.
function withoutBom(bytes: Uint8Array, codec: PythonCodec): Uint8Array {
  const bom = codec === 'utf-8-sig' && UTF8_BOM.every((byte, i) => bytes[i] === byte);
  return bom ? bytes.subarray(3) : bytes;
}

/**
 * Reads a whole body through `codecs.getreader(codec)`, as DRF's JSONParser does: strict, a
 * truncated UTF-8 sequence at the end dropped, and utf-8-sig positions counted after its BOM.
 */
export function decodeStream(bytes: Uint8Array, codec: PythonCodec): DecodeResult {
  if (codec === 'latin-1') return { text: latin1(bytes) };
  if (codec === 'ascii') return decodeAscii(bytes, false);
  // utf-8-sig waits for a third byte before deciding on a BOM; at the end it never comes.
  if (codec === 'utf-8-sig' && bytes.length < 3 && bytes.every((byte, i) => byte === UTF8_BOM[i])) {
    return { text: '' };
  }
  return decodeUtf8(withoutBom(bytes, codec), 'stream');
}

/** Python's `bytes.decode(codec)`: the text, or undefined where Python raises. */
export function decodeStrict(bytes: Uint8Array, codec: PythonCodec): string | undefined {
  if (codec === 'latin-1') return latin1(bytes);
  const result =
    codec === 'ascii' ? decodeAscii(bytes, false) : decodeUtf8(withoutBom(bytes, codec), 'final');
  return 'text' in result ? result.text : undefined;
}

/** Python's `bytes.decode(codec, 'replace')`: one U+FFFD per bad sequence, as CPython counts them. */
export function decodeReplace(bytes: Uint8Array, codec: PythonCodec): string {
  if (codec === 'latin-1') return latin1(bytes);
  const result =
    codec === 'ascii' ? decodeAscii(bytes, true) : decodeUtf8(withoutBom(bytes, codec), 'replace');
  return 'text' in result ? result.text : '';
}
