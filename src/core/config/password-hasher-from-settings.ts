import { PasswordHasher } from '../passwords/password-hasher.js';
import type { LibrarySettings } from './settings.js';

/** The settings a `PasswordHasher` is made from. */
export type PasswordSettings = Pick<
  LibrarySettings,
  'passwordHasher' | 'passwordIterations' | 'passwordConcurrency' | 'passwordQueueLimit'
>;

/**
 * The password hasher the settings describe; `createTessera` and the CLI both make theirs here,
 * so a login on the server and a `changepassword` hash alike.
 * @example
 * const passwords = passwordHasherFromSettings(settingsFromEnv());
 */
export function passwordHasherFromSettings(settings: PasswordSettings): PasswordHasher {
  return new PasswordHasher({
    algorithm: settings.passwordHasher,
    iterations: settings.passwordIterations,
    concurrency: settings.passwordConcurrency,
    queueLimit: settings.passwordQueueLimit,
  });
}
