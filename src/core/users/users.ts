import { ValidationError } from '../errors.js';
import { type PasswordHasher, validatePassword } from '../passwords/index.js';
import { DuplicateError, type UserStore } from '../store.js';
import type { Clock } from '../time/clock.js';
import type { User } from './user.js';
import { normalizeEmail, normalizeUsername, validateEmail, validateUsername } from './usernames.js';

/** A user to create; without a password the user gets Django's unusable one. */
export interface CreateUserInput {
  readonly username: string;
  readonly password?: string | null;
  readonly email?: string;
  readonly isStaff?: boolean;
  readonly isSuperuser?: boolean;
  readonly isActive?: boolean;
  /**
   * Check the password with Django's four default validators first (every tessera command that
   * takes a password does). Default false, as Django's `create_user`, which leaves validation to
   * its forms and commands.
   */
  readonly validatePassword?: boolean;
}

/** Django's message for a taken username. */
export const USERNAME_TAKEN = 'A user with that username already exists.';

/**
 * Django's `UserManager.create_user`: validates and NFKC-normalises the username, normalises the
 * email, with `validatePassword` checks the password with Django's four default validators,
 * hashes it, and stores the user. Throws `ValidationError` with Django's texts.
 * @example
 * await createUser(store, passwords, systemClock, {
 *   username: 'alice',
 *   password: 'vq7-Lamp-orbit',
 *   validatePassword: true,
 * });
 */
export async function createUser(
  store: UserStore,
  passwords: PasswordHasher,
  clock: Clock,
  input: CreateUserInput,
): Promise<User> {
  const username = normalizeUsername(input.username);
  const email = normalizeEmail(input.email ?? '');
  const errors: Record<string, string[]> = {};
  const usernameErrors = validateUsername(username);
  if (usernameErrors.length > 0) errors.username = usernameErrors;
  const emailErrors = validateEmail(email);
  if (emailErrors.length > 0) errors.email = emailErrors;
  if (typeof input.password === 'string' && input.validatePassword) {
    const passwordErrors = validatePassword(input.password, { username, email });
    if (passwordErrors.length > 0) errors.password = passwordErrors;
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const password =
    input.password === undefined || input.password === null
      ? passwords.unusable()
      : await passwords.hash(input.password);
  try {
    return await store.createUser({
      username,
      email,
      password,
      isStaff: input.isStaff ?? false,
      isSuperuser: input.isSuperuser ?? false,
      isActive: input.isActive ?? true,
      dateJoined: new Date(clock.now()),
    });
  } catch (error) {
    if (error instanceof DuplicateError) throw new ValidationError({ username: [USERNAME_TAKEN] });
    throw error;
  }
}
