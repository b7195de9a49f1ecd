import { importModule, type ModuleLoader } from '../config/optional-package.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { ARGON2_ALGORITHM, verifyArgon2 } from './django-argon2.js';
import { BCRYPT_SHA256_ALGORITHM, verifyBcryptSha256 } from './django-bcrypt.js';
import {
  DEFAULT_PBKDF2_ITERATIONS,
  type DecodedPbkdf2,
  decodePbkdf2,
  encodePbkdf2,
  generateSalt,
  isValidIterationCount,
  MAX_PBKDF2_ITERATIONS,
  PBKDF2_SHA256,
  type Pbkdf2Function,
  saltNeedsUpdate,
  verifyPbkdf2,
} from './django-pbkdf2.js';
import { sharedLowPriorityPbkdf2 } from './low-priority-pbkdf2.js';
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
  /** PBKDF2 iterations of new hashes and the count below which stored ones are upgraded. */
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
 * Django-compatible password hashing: makes `pbkdf2_sha256` hashes and checks those and the
 * other hashers in Django's default `PASSWORD_HASHERS`, with Django's timing protections.
 * @example
 * const hasher = new PasswordHasher();
 * const encoded = await hasher.hash('correct horse');
 * const { valid, needsRehash } = await hasher.check('correct horse', encoded);
 */
export class PasswordHasher {
  /** PBKDF2 iterations of new hashes. */
  readonly iterations: number;
  /** The bound every hash computation waits on. */
  readonly limit: ConcurrencyLimit;
  private readonly derive: Pbkdf2Function;
  private readonly loadModule: ModuleLoader;

  constructor(options: PasswordHasherOptions = {}, dependencies: PasswordHasherDependencies = {}) {
    const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    if (!isValidIterationCount(iterations)) {
      throw new RangeError(`iterations must be an integer from 1 to ${MAX_PBKDF2_ITERATIONS}.`);
    }
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
  }

  /** Django's `make_password(password)`: a new `pbkdf2_sha256$…` value to store. */
  async hash(password: string): Promise<string> {
    if (!isWellFormedUnicode(password)) {
      // Python cannot UTF-8-encode a lone surrogate, and Node would silently replace it.
      throw new TypeError('A password must be well-formed Unicode (it has a lone surrogate).');
    }
    return encodePbkdf2(password, generateSalt(), this.iterations, PBKDF2_SHA256, this.derive);
  }

  /** Django's `make_password(None)`: a value no password matches, for users without one. */
  unusable(): string {
    return makeUnusablePassword();
  }

  /** Django's `check_password`: whether `password` matches `encoded`, and whether to re-hash. */
  async check(password: string, encoded: string): Promise<PasswordCheck> {
    if (!isPasswordUsable(encoded) || !isWellFormedUnicode(password)) {
      return this.rejectAfterDummyHash(password);
    }
    const separator = encoded.indexOf('$');
    const algorithm = separator < 0 ? encoded : encoded.slice(0, separator);
    if (algorithm === ARGON2_ALGORITHM) {
      // argon2 runs on libuv's pool, and shares the pbkdf2 bound.
      const valid = await this.limit.run(() => verifyArgon2(password, encoded, this.loadModule));
      return { valid, needsRehash: valid };
    }
    if (algorithm === BCRYPT_SHA256_ALGORITHM) {
      // bcryptjs is JavaScript on the event loop, in slices: it holds no pool thread to limit.
      const valid = await verifyBcryptSha256(password, encoded, this.loadModule);
      return { valid, needsRehash: valid };
    }
    const decoded = decodePbkdf2(encoded);
    if (decoded === null) return this.rejectAfterDummyHash(password);
    const valid = await verifyPbkdf2(password, encoded, this.derive);
    if (decoded.algorithm !== PBKDF2_SHA256) return { valid, needsRehash: valid };
    return valid
      ? { valid, needsRehash: this.mustUpdate(decoded) }
      : this.hardenRuntime(password, decoded);
  }

  /**
   * Runs one full hash and returns false, for a username that does not exist, so that a
   * missing user takes as long as a wrong password (Django's `ModelBackend.authenticate`).
   */
  async checkUnknownUser(password: string): Promise<false> {
    await this.dummyHash(password);
    return false;
  }

  // Django's PBKDF2PasswordHasher.must_update.
  private mustUpdate(decoded: DecodedPbkdf2): boolean {
    return decoded.iterations !== this.iterations || saltNeedsUpdate(decoded.salt);
  }

  // Django's harden_runtime: a failed check on an older, cheaper hash still costs the full count,
  // so response time does not reveal how old a user's hash is.
  private async hardenRuntime(password: string, decoded: DecodedPbkdf2): Promise<PasswordCheck> {
    const missing = this.iterations - decoded.iterations;
    if (missing > 0) {
      await encodePbkdf2(password, decoded.salt, missing, PBKDF2_SHA256, this.derive);
    }
    return INVALID;
  }

  // Django runs make_password for unusable or unknown values so they cost as much as a real check.
  private async rejectAfterDummyHash(password: string): Promise<PasswordCheck> {
    await this.dummyHash(password);
    return INVALID;
  }

  private async dummyHash(password: string): Promise<void> {
    await encodePbkdf2(password, generateSalt(), this.iterations, PBKDF2_SHA256, this.derive);
  }
}

function isWellFormedUnicode(text: string): boolean {
  // With the u flag, \p{Cs} matches only surrogates that are not part of a pair.
  return !/\p{Cs}/u.test(text);
}
