import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The Python with Django 3.2, argon2-cffi and bcrypt (not the `python3` first on PATH). */
export const DJANGO_PYTHON = '/usr/bin/python3';

/** What makes `DJANGO_PYTHON` able to run these tests. */
export const DJANGO_INSTALL_COMMAND =
  'apt-get install python3-django python3-argon2 python3-bcrypt';

const SCRIPT = fileURLToPath(new URL('django-every-hasher.py', import.meta.url));

/** A Django hash and the password it was made from. */
export interface DjangoVector {
  readonly password: string;
  readonly hasher: string;
  readonly encoded: string;
}

/** Django 3.2's answer for one stored value: `check_password`, and `must_update` (null for scrypt). */
export interface DjangoCheck {
  readonly valid: boolean;
  readonly mustUpdate: boolean | null;
}

interface Answer<T> {
  readonly django: string;
  readonly answer: T;
}

/**
 * Runs django-every-hasher.py with the request on stdin: passwords never reach argv, where other
 * users of the machine could read them. A missing Django fails the test naming the command that
 * installs it; it never skips.
 */
export function runDjango<T>(request: unknown, python = DJANGO_PYTHON): Answer<T> {
  const result = spawnSync(python, [SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error || result.status === 3) {
    throw new Error(
      `${python} cannot run Django 3.2 with argon2-cffi and bcrypt ` +
        `(${result.error?.message ?? result.stderr.trim()}). Install them with: ${DJANGO_INSTALL_COMMAND}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`django-every-hasher.py failed (exit ${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Answer<T>;
}

/** Hashes of `passwords` by every hasher Django 3.2 verifies, plus scrypt as Django 4.0-5.2 writes it. */
export function makeDjangoHashes(passwords: readonly string[]): Answer<DjangoVector[]> {
  return runDjango<DjangoVector[]>({ mode: 'make', passwords });
}

/** Django 3.2's check of each stored value (scrypt by Django 4.0-5.2's verify, in Python). */
export function checkWithDjango(
  items: readonly { password: string; encoded: string }[],
): Answer<DjangoCheck[]> {
  return runDjango<DjangoCheck[]>({ mode: 'check', items });
}
