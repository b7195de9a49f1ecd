import { spawnSync } from 'node:child_process';

/**
 * Debian's Python, which has Django, DRF, gunicorn and the hashers' modules: the `python3`
 * first on PATH may be another installation without them.
 */
export const PYTHON = '/usr/bin/python3';

// What the tests import in Python: the project, its server, the legacy hashers, and the
// PostgreSQL and MySQL/MariaDB drivers.
const MODULES = ['django', 'rest_framework', 'gunicorn', 'argon2', 'bcrypt', 'psycopg2', 'MySQLdb'];

const INSTALL = [
  'apt-get',
  'install',
  '-y',
  'python3-django',
  'python3-djangorestframework',
  'gunicorn',
  'python3-argon2',
  'python3-bcrypt',
  'python3-psycopg2',
  'python3-mysqldb',
];

function missingModules(): string | null {
  const result = spawnSync(PYTHON, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' });
  if (result.error) return `${PYTHON}: ${result.error.message}`;
  return result.status === 0 ? null : result.stderr.trim().split('\n').at(-1) || 'import failed';
}

let checked = false;

/**
 * Makes sure Debian's Django, DRF and gunicorn are there: installs them with apt as root, and
 * otherwise fails naming the command to run (never a skip: the tests would prove nothing).
 */
export function requireDjango(): void {
  if (checked) return;
  const missing = missingModules();
  if (missing !== null) {
    if (process.getuid?.() !== 0) {
      throw new Error(
        `The Django tests need Debian's Django, DRF and gunicorn for ${PYTHON} (${missing}): ` +
          `run \`${INSTALL.join(' ')}\` as root`,
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    // Two test files may get here at once: the second waits for dpkg's lock instead of failing.
    const installed = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...INSTALL.slice(1)], {
      encoding: 'utf8',
      env,
    });
    const still = missingModules();
    if (still !== null) {
      throw new Error(
        `\`${INSTALL.join(' ')}\` did not give ${PYTHON} ${MODULES.join(', ')}: ` +
          `${still}\n${installed.stderr}`,
      );
    }
  }
  checked = true;
}
