export { type ModuleLoader, OptionalPackageError } from '../config/optional-package.js';
export { ConcurrencyLimit } from './concurrency-limit.js';
export { WRITABLE_HASHERS, type WritableHasher } from './django-hasher-names.js';
export { DEFAULT_PBKDF2_ITERATIONS, type Pbkdf2Function } from './django-pbkdf2.js';
export {
  DEFAULT_HASH_CONCURRENCY,
  DEFAULT_HASH_QUEUE_LIMIT,
  type PasswordCheck,
  PasswordHasher,
  type PasswordHasherDependencies,
  type PasswordHasherOptions,
} from './password-hasher.js';
export {
  MIN_PASSWORD_LENGTH,
  type PasswordOwner,
  validatePassword,
} from './password-validation.js';
export { isPasswordUsable, makeUnusablePassword } from './unusable-password.js';
