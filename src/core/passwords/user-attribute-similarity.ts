import { pythonLength, pythonLower } from '../drf-compat/python-strings.js';

/** The user fields Django's `UserAttributeSimilarityValidator` compares a password with. */
export interface PasswordOwner {
  readonly username?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
}

// Django's DEFAULT_USER_ATTRIBUTES, in order, with auth.User's verbose names.
const ATTRIBUTES = [
  ['username', 'username'],
  ['firstName', 'first name'],
  ['lastName', 'last name'],
  ['email', 'email address'],
] as const;

/** Django's default `max_similarity`. */
export const MAX_SIMILARITY = 0.7;

// Python's \W on str: anything but a letter, a number or an underscore.
const NON_WORD = /[^\p{L}\p{N}_]+/u;

/**
 * difflib's `SequenceMatcher(a=a, b=b).quick_ratio()`: twice the size of the multiset of code
 * points the two share, over their total length (1 for two empty strings). Junk heuristics do not
 * apply to it.
 */
export function quickRatio(a: string, b: string): number {
  const inB = new Map<string, number>();
  let lengthB = 0;
  for (const char of b) {
    inB.set(char, (inB.get(char) ?? 0) + 1);
    lengthB++;
  }
  let matches = 0;
  let lengthA = 0;
  for (const char of a) {
    lengthA++;
    const left = inB.get(char) ?? 0;
    if (left > 0) {
      matches++;
      inB.set(char, left - 1);
    }
  }
  const length = lengthA + lengthB;
  return length === 0 ? 1 : (2 * matches) / length;
}

// Django's exceeds_maximum_length_ratio: a value ten times shorter than the password cannot reach
// the similarity bound, so the comparison is skipped (and its cost with it).
function exceedsMaximumLengthRatio(passwordLength: number, value: string): boolean {
  const valueLength = pythonLength(value);
  return passwordLength >= 10 * valueLength && valueLength < (MAX_SIMILARITY / 2) * passwordLength;
}

/**
 * Django's `UserAttributeSimilarityValidator` (3.2): the first user field that the password is
 * too similar to (as a whole or any part split on non-word characters), by Django's
 * `quick_ratio() >= 0.7`, or null.
 */
export function similarAttribute(password: string, owner: PasswordOwner): string | null {
  const lowered = pythonLower(password);
  const passwordLength = pythonLength(lowered);
  for (const [field, verboseName] of ATTRIBUTES) {
    const value = owner[field];
    if (!value) continue;
    const valueLower = pythonLower(value);
    for (const part of [...valueLower.split(NON_WORD), valueLower]) {
      if (exceedsMaximumLengthRatio(passwordLength, part)) continue;
      if (quickRatio(lowered, part) >= MAX_SIMILARITY) return verboseName;
    }
  }
  return null;
}
