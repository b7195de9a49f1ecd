import { importModule, loadOptionalExport, type ModuleLoader } from '../config/optional-package.js';
import { SALT_ENTROPY_BITS } from './django-pbkdf2.js';
import { RANDOM_STRING_CHARS } from './random-string.js';

/** The name Django's `Argon2PasswordHasher` writes before the PHC string. */
export const ARGON2_ALGORITHM = 'argon2';

/** Argon2's cost parameters as a PHC string carries them. */
export interface Argon2Parameters {
  /** `argon2id`, or `argon2i` (Django before 3.2 wrote it), or `argon2d`. */
  readonly variety: string;
  /** 19 (`v=19`), or 16 for a PHC string without `v=`. */
  readonly version: number;
  /** KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  /** Bytes of salt and of hash, after base64 decoding. */
  readonly saltLength: number;
  readonly hashLength: number;
}

/**
 * Django 3.2 to 5.2's `Argon2PasswordHasher`: argon2id, version 19, 100 MiB, 2 passes, 8 lanes,
 * a 16-byte hash (argon2-cffi's default) and Django's 22-character salt.
 */
export const DJANGO_ARGON2_PARAMETERS = Object.freeze({
  variety: 'argon2id',
  version: 19,
  memoryCost: 102_400,
  timeCost: 2,
  parallelism: 8,
  hashLength: 16,
});

/**
 * Bounds on what a stored hash may ask for; beyond them it matches nothing and nothing is
 * computed. 256 MiB is 2.5 times Django's 100 MiB; the time bound caps passes × memory at
 * 10 times Django's. An `auth_user` row is input like any other: one naming m = 4 TiB must
 * cost a refusal, not an allocation.
 */
export const MAX_ARGON2_MEMORY_KIB = 262_144;
export const MAX_ARGON2_WORK_KIB = 10 * 2 * 102_400;
export const MAX_ARGON2_PARALLELISM = 64;
export const MAX_ARGON2_HASH_BYTES = 1024;

type Argon2Verify = (digest: string, password: string) => Promise<boolean>;
type Argon2Hash = (password: string, options: Record<string, unknown>) => Promise<Uint8Array>;

const VARIETIES = new Set(['argon2id', 'argon2i', 'argon2d']);

/**
 * Reads the parameters of `argon2$<variety>$[v=<n>$]m=<m>,t=<t>,p=<p>$<salt>$<hash>`, or null
 * when the value is malformed or asks for more than the bounds allow.
 */
export function argon2Parameters(encoded: string): Argon2Parameters | null {
  const parts = encoded.split('$');
  if (parts[0] !== ARGON2_ALGORITHM || (parts.length !== 5 && parts.length !== 6)) return null;
  const variety = parts[1] as string;
  const versionPart = parts.length === 6 ? (parts[2] as string) : 'v=16';
  const [costs, salt, hash] = parts.slice(-3) as [string, string, string];
  const version = /^v=([0-9]{1,3})$/.exec(versionPart);
  const cost = /^m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,10})$/.exec(costs);
  if (!VARIETIES.has(variety) || !version || !cost) return null;
  const [memoryCost, timeCost, parallelism] = cost.slice(1).map(Number) as [number, number, number];
  const parameters: Argon2Parameters = {
    variety,
    version: Number(version[1]),
    memoryCost,
    timeCost,
    parallelism,
    saltLength: base64Length(salt),
    hashLength: base64Length(hash),
  };
  return withinBounds(parameters) ? parameters : null;
}

function withinBounds(p: Argon2Parameters): boolean {
  return (
    p.timeCost >= 1 &&
    p.parallelism >= 1 &&
    p.parallelism <= MAX_ARGON2_PARALLELISM &&
    p.memoryCost >= 8 * p.parallelism &&
    p.memoryCost <= MAX_ARGON2_MEMORY_KIB &&
    p.memoryCost * p.timeCost <= MAX_ARGON2_WORK_KIB &&
    p.saltLength >= 8 &&
    p.hashLength >= 4 &&
    p.hashLength <= MAX_ARGON2_HASH_BYTES
  );
}

// Bytes of unpadded standard base64, or -1 when the text is not that.
function base64Length(text: string): number {
  if (!/^[A-Za-z0-9+/]+$/.test(text) || text.length % 4 === 1) return -1;
  return Math.floor((text.length * 3) / 4);
}

/**
 * Django's `Argon2PasswordHasher.must_update`: parameters other than Django's, or a salt of
 * fewer than 128 bits (Django decodes the salt as Latin-1, so bits = bytes × log2(62)).
 */
export function argon2NeedsUpdate(parameters: Argon2Parameters): boolean {
  const django = DJANGO_ARGON2_PARAMETERS;
  return (
    parameters.variety !== django.variety ||
    parameters.version !== django.version ||
    parameters.memoryCost !== django.memoryCost ||
    parameters.timeCost !== django.timeCost ||
    parameters.parallelism !== django.parallelism ||
    parameters.hashLength !== django.hashLength ||
    parameters.saltLength * Math.log2(RANDOM_STRING_CHARS.length) < SALT_ENTROPY_BITS
  );
}

/**
 * Django's `Argon2PasswordHasher.verify` through the `argon2` package (an optional peer).
 * Django stores `argon2` + a PHC string (`argon2$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so the
 * PHC string is everything after the algorithm name, whose leading `$` it keeps. Parameters out
 * of bounds match nothing, and the package is not even loaded.
 */
export async function verifyArgon2(
  password: string,
  encoded: string,
  loader: ModuleLoader = importModule,
): Promise<boolean> {
  if (argon2Parameters(encoded) === null) return false;
  const verify = await loadOptionalExport<Argon2Verify>(
    'argon2',
    'verify',
    `Checking a Django "${ARGON2_ALGORITHM}" password hash`,
    loader,
  );
  const phc = encoded.slice(ARGON2_ALGORITHM.length);
  try {
    return await verify(phc, password);
  } catch {
    // A malformed stored value matches no password; argon2 throws on it instead of saying false.
    return false;
  }
}

/**
 * Django's `Argon2PasswordHasher.encode` with Django's parameters: the salt is Django's
 * 22-character string, used as its UTF-8 bytes as Django does, so Django sees no reason to
 * rewrite the hash.
 */
export async function encodeArgon2(
  password: string,
  salt: string,
  loader: ModuleLoader = importModule,
): Promise<string> {
  const hash = await loadOptionalExport<Argon2Hash>(
    'argon2',
    'hash',
    `Writing a Django "${ARGON2_ALGORITHM}" password hash`,
    loader,
  );
  const django = DJANGO_ARGON2_PARAMETERS;
  const saltBytes = Buffer.from(salt, 'utf8');
  const raw = await hash(password, {
    raw: true,
    type: 2, // argon2id
    version: django.version,
    memoryCost: django.memoryCost,
    timeCost: django.timeCost,
    parallelism: django.parallelism,
    hashLength: django.hashLength,
    salt: saltBytes,
  });
  // Written here, not by the package: it orders the costs m,p,t, and the argon2 C library
  // under Django's argon2-cffi parses only m,t,p.
  const costs = `m=${django.memoryCost},t=${django.timeCost},p=${django.parallelism}`;
  const phc = `$${django.variety}$v=${django.version}$${costs}$${unpadded(saltBytes)}$${unpadded(raw)}`;
  return ARGON2_ALGORITHM + phc;
}

function unpadded(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}
