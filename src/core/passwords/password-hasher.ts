import { importModule, type ModuleLoader } from '../config/optional-package.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import {
  argon2NeedsUpdate,
  argon2Parameters,
  encodeArgon2,
  verifyArgon2,
} from './django-argon2.js';
import {
  BCRYPT_SHA256_ALGORITHM,
  bcryptRounds,
  DJANGO_BCRYPT_ROUNDS,
  encodeBcryptSha256,
  hardenBcryptSha256,
  verifyBcrypt,
} from './django-bcrypt.js';
import {
  type DjangoHasherName,
  identifyHasher,
  isWritableHasher,
  WRITABLE_HASHERS,
  type WritableHasher,
} from './django-hasher-names.js';
import { verifyLegacyDigest } from './django-legacy-digests.js';
import {
  DEFAULT_PBKDF2_ITERATIONS,
  type DecodedPbkdf2,
  decodePbkdf2,
  encodePbkdf2,
  generateSalt,
  isValidIterationCount,
  MAX_PBKDF2_ITERATIONS,
  MAX_STORED_PBKDF2_ITERATIONS,
  PBKDF2_SHA1,
  PBKDF2_SHA256,
  type Pbkdf2Algorithm,
  type Pbkdf2Function,
  saltNeedsUpdate,
  verifyPbkdf2,
} from './django-pbkdf2.js';
import {
  decodeScrypt,
  encodeScrypt,
  type ScryptFunction,
  scryptNeedsUpdate,
  verifyScrypt,
} from './django-scrypt.js';
import { sharedLowPriorityPbkdf2, sharedLowPriorityScrypt } from './low-priority-pbkdf2.js';
import { isPasswordUsable, makeUnusablePassword } from './unusable-password.js';

/** Hash computations allowed at once by default (half the hashing pool's 4 threads). */
export const DEFAULT_HASH_CONCURRENCY = 2;

/**
 * Hash computations the server lets wait (`TESSERA_PASSWORD_QUEUE_LIMIT`); more are refused with
 * 503 at once. At Django's 1,000,000 iterations a hash takes about half a second, so the last in
 * line waits about 4 s.
 */
export const DEFAULT_HASH_QUEUE_LIMIT = 16;

/**
 * How long a hash refused for a full queue waits before its 503: clients that resend at once
 * then send a request a second each, instead of keeping the event loop busy with refusals.
 */
export const DEFAULT_HASH_REFUSAL_DELAY_MS = 1000;

/** Settings of a `PasswordHasher`. */
export interface PasswordHasherOptions {
  /**
   * The Django hasher new hashes are written with (default `pbkdf2_sha256`), Django's first
   * `PASSWORD_HASHERS` entry: choose one the Django sharing the database knows. A stored hash of
   * another hasher is rewritten with this one on its next successful check.
   */
  algorithm?: WritableHasher;
  /** PBKDF2 iterations of new hashes and the count other than which stored ones are upgraded. */
  iterations?: number;
  /** Hash computations allowed at once (default 2); ignored when a `limit` is passed in. */
  concurrency?: number;
  /**
   * Hash computations allowed to wait, beyond which `ServiceUnavailable` (503) is thrown at once;
   * unbounded by default (the server passes `DEFAULT_HASH_QUEUE_LIMIT`). Ignored with a `limit`.
   */
  queueLimit?: number;
  /**
   * How long a refusal waits before its 503, in ms (default `DEFAULT_HASH_REFUSAL_DELAY_MS`);
   * 0 answers at once. Ignored with a `limit`.
   */
  refusalDelayMs?: number;
}

/** Replaceable parts of a `PasswordHasher`, for sharing a limit and for tests. */
export interface PasswordHasherDependencies {
  /**
   * The key derivation; defaults to PBKDF2 on the process's pool of four threads of the lowest
   * priority (nice 19), so hashing takes only the CPU the event loop leaves.
   */
  pbkdf2?: Pbkdf2Function;
  /** How optional packages (`argon2`, `bcryptjs`) are imported; defaults to `import()`. */
  loadModule?: ModuleLoader;
  /** scrypt; defaults to the same low-priority threads as PBKDF2, under the same limit. */
  scrypt?: ScryptFunction;
  /** A limit shared with other hashers, so the process-wide bound holds. */
  limit?: ConcurrencyLimit;
}

/** The outcome of `PasswordHasher.check`, Django's `verify_password`. */
export interface PasswordCheck {
  readonly valid: boolean;
  /** True only when valid and the stored hash should be replaced by `hash(password)`. */
  readonly needsRehash: boolean;
}

const INVALID: PasswordCheck = Object.freeze({ valid: false, needsRehash: false });

/**
 * Django-compatible password hashing: makes hashes with the configured hasher (`pbkdf2_sha256`
 * by default) and checks every hasher Django 3.2 to 5.2 ships but `crypt`, with Django's timing
 * protections and rehash rules.
 * @example
 * const hasher = new PasswordHasher();
 * const encoded = await hasher.hash('correct horse');
 * const { valid, needsRehash } = await hasher.check('correct horse', encoded);
 */
export class PasswordHasher {
  /** The hasher new hashes are written with. */
  readonly algorithm: WritableHasher;
  /** PBKDF2 iterations of new hashes. */
  readonly iterations: number;
  /** The bound every hash computation waits on. */
  readonly limit: ConcurrencyLimit;
  private readonly derive: Pbkdf2Function;
  private readonly loadModule: ModuleLoader;
  private readonly scrypt: ScryptFunction;

  constructor(options: PasswordHasherOptions = {}, dependencies: PasswordHasherDependencies = {}) {
    const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    if (!isValidIterationCount(iterations)) {
      throw new RangeError(`iterations must be an integer from 1 to ${MAX_PBKDF2_ITERATIONS}.`);
    }
    const algorithm = options.algorithm ?? 'pbkdf2_sha256';
    if (!isWritableHasher(algorithm)) {
      throw new RangeError(`algorithm must be one of ${WRITABLE_HASHERS.join(', ')}.`);
    }
    this.algorithm = algorithm;
    this.iterations = iterations;
    this.limit =
      dependencies.limit ??
      new ConcurrencyLimit(
        options.concurrency ?? DEFAULT_HASH_CONCURRENCY,
        options.queueLimit ?? Number.POSITIVE_INFINITY,
        options.refusalDelayMs ?? DEFAULT_HASH_REFUSAL_DELAY_MS,
      );
    const pbkdf2 = dependencies.pbkdf2 ?? sharedLowPriorityPbkdf2();
    this.derive = (...args) => this.limit.run(() => pbkdf2(...args));
    this.loadModule = dependencies.loadModule ?? importModule;
    const scrypt = dependencies.scrypt ?? sharedLowPriorityScrypt();
    this.scrypt = (...args) => this.limit.run(() => scrypt(...args));
  }

  /** Django's `make_password(password)`: a new value of the configured hasher to store. */
  async hash(password: string): Promise<string> {
    if (!isWellFormedUnicode(password)) {
      // Python cannot UTF-8-encode a lone surrogate, and Node would silently replace it.
      throw new TypeError('A password must be well-formed Unicode (it has a lone surrogate).');
    }
    return this.encode(password);
  }

  /** Django's `make_password(None)`: a value no password matches, for users without one. */
  unusable(): string {
    return makeUnusablePassword();
  }

  /** Django's `verify_password`: whether `password` matches `encoded`, and whether to re-hash. */
  async check(password: string, encoded: string): Promise<PasswordCheck> {
    const hasher = identifyHasher(encoded);
    if (!isPasswordUsable(encoded) || !isWellFormedUnicode(password) || hasher === null) {
      return this.rejectAfterDummyHash(password);
    }
    const changed = hasher !== this.algorithm;
    if (hasher === 'pbkdf2_sha256' || hasher === 'pbkdf2_sha1') {
      const decoded = decodePbkdf2(encoded);
      if (decoded === null) return this.rejectAfterDummyHash(password);
      if (decoded.iterations > Math.max(MAX_STORED_PBKDF2_ITERATIONS, this.iterations)) {
        return INVALID;
      }
      const valid = await verifyPbkdf2(password, encoded, this.derive);
      const mustUpdate = changed || this.pbkdf2MustUpdate(decoded);
      if (valid) return { valid, needsRehash: mustUpdate };
      if (!changed && mustUpdate) await this.hardenPbkdf2(password, decoded);
      return INVALID;
    }
    const valid = await this.verifyOther(hasher, password, encoded);
    const mustUpdate = changed || this.otherMustUpdate(hasher, encoded);
    if (valid) return { valid, needsRehash: mustUpdate };
    if (!changed && mustUpdate && hasher === BCRYPT_SHA256_ALGORITHM) {
      await this.limit.run(() => hardenBcryptSha256(password, encoded, this.loadModule));
    }
    return INVALID;
  }

  /**
   * Runs one full hash and returns false, for a username that does not exist, so that a
   * missing user takes as long as a wrong password (Django's `ModelBackend.authenticate`).
   */
  async checkUnknownUser(password: string): Promise<false> {
    await this.dummyHash(password);
    return false;
  }

  // Django's make_password with the preferred hasher and a fresh salt.
  private encode(password: string): Promise<string> {
    switch (this.algorithm) {
      case 'pbkdf2_sha256':
      case 'pbkdf2_sha1':
        return encodePbkdf2(
          password,
          generateSalt(),
          this.iterations,
          this.pbkdf2Algorithm(),
          this.derive,
        );
      case 'argon2':
        // argon2 runs on libuv's pool, and shares the pbkdf2 bound.
        return this.limit.run(() => encodeArgon2(password, generateSalt(), this.loadModule));
      case 'bcrypt_sha256':
        // bcryptjs is JavaScript on the event loop, in slices: unbounded, a burst of bcrypt
        // logins would take the loop's time from every request, so it shares the bound too.
        return this.limit.run(() => encodeBcryptSha256(password, this.loadModule));
      case 'scrypt':
        return encodeScrypt(password, generateSalt(), undefined, this.scrypt);
    }
  }

  private pbkdf2Algorithm(): Pbkdf2Algorithm {
    return this.algorithm === 'pbkdf2_sha1' ? PBKDF2_SHA1 : PBKDF2_SHA256;
  }

  // Every hasher but PBKDF2's, which check() handles with its hardening.
  private verifyOther(
    hasher: Exclude<DjangoHasherName, 'pbkdf2_sha256' | 'pbkdf2_sha1'>,
    password: string,
    encoded: string,
  ): Promise<boolean> {
    switch (hasher) {
      case 'argon2':
        return this.limit.run(() => verifyArgon2(password, encoded, this.loadModule));
      case 'scrypt':
        return verifyScrypt(password, encoded, this.scrypt);
      case 'bcrypt_sha256':
      case 'bcrypt':
        return this.limit.run(() => verifyBcrypt(hasher, password, encoded, this.loadModule));
      case 'sha1':
      case 'md5':
      case 'unsalted_sha1':
      case 'unsalted_md5':
        // One round of a fast digest: not worth a pool thread.
        return Promise.resolve(verifyLegacyDigest(hasher, password, encoded));
    }
  }

  // The preferred hasher's must_update, asked only of hashes it wrote itself.
  private otherMustUpdate(hasher: DjangoHasherName, encoded: string): boolean {
    switch (hasher) {
      case 'argon2': {
        const parameters = argon2Parameters(encoded);
        return parameters === null || argon2NeedsUpdate(parameters);
      }
      case 'scrypt': {
        const decoded = decodeScrypt(encoded);
        return decoded === null || scryptNeedsUpdate(decoded);
      }
      case 'bcrypt_sha256':
        return bcryptRounds(encoded) !== DJANGO_BCRYPT_ROUNDS;
      default:
        return true;
    }
  }

  // Django's PBKDF2PasswordHasher.must_update.
  private pbkdf2MustUpdate(decoded: DecodedPbkdf2): boolean {
    return decoded.iterations !== this.iterations || saltNeedsUpdate(decoded.salt);
  }

  // Django's harden_runtime: a failed check on an older, cheaper hash still costs the full count,
  // so response time does not reveal how old a user's hash is.
  private async hardenPbkdf2(password: string, decoded: DecodedPbkdf2): Promise<void> {
    const missing = this.iterations - decoded.iterations;
    if (missing > 0) {
      await encodePbkdf2(password, decoded.salt, missing, decoded.algorithm, this.derive);
    }
  }

  // Django runs make_password for unusable or unknown values so they cost as much as a real check.
  private async rejectAfterDummyHash(password: string): Promise<PasswordCheck> {
    await this.dummyHash(password);
    return INVALID;
  }

  private async dummyHash(password: string): Promise<void> {
    // A lone surrogate reaches here only to be refused; any stand-in costs the same.
    await this.encode(password.replace(/\p{Cs}/gu, '\ufffd'));
  }
}

function isWellFormedUnicode(text: string): boolean {
  // With the u flag, \p{Cs} matches only surrogates that are not part of a pair.
  return !/\p{Cs}/u.test(text);
}
