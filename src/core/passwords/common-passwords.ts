import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { pythonLower, pythonStrip } from '../drf-compat/python-strings.js';

// Django 3.2.25's django/contrib/auth/common-passwords.txt.gz (19,726 lowercased passwords by
// Royce Williams), shipped in the package's data/ folder: two levels up from both src/core/passwords
// and dist/core/passwords, so the same URL works from the sources and from the published build.
const LIST_URL = new URL('../../../data/common-passwords.txt.gz', import.meta.url);

let commonPasswords: ReadonlySet<string> | undefined;

// Read once, on the first password set (about 80 KB gzipped); a login never needs it.
function loadCommonPasswords(): ReadonlySet<string> {
  const text = gunzipSync(readFileSync(LIST_URL)).toString('utf8');
  return new Set(text.split('\n').map(pythonStrip));
}

/** Django's `CommonPasswordValidator`: whether the password, lowercased and stripped, is listed. */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= loadCommonPasswords();
  return commonPasswords.has(pythonStrip(pythonLower(password)));
}
