import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

const FIXTURES = join(import.meta.dirname, 'fixtures');
// Resolved here: the child must load tsx and the reporter exactly as this process does.
const TSX = import.meta.resolve('tsx');

function childEnv(flaw: string): NodeJS.ProcessEnv {
  // Without this, node:test in the child would report to this run instead of to the reporter.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  return { ...env, TESSERA_BROKEN_ADAPTER: flaw };
}

/** Runs the parity suite against a broken adapter; returns each test's name and outcome. */
async function parityOutcomes(flaw: string): Promise<Map<string, boolean>> {
  const run = promisify(execFile)(
    process.execPath,
    [
      '--import',
      TSX,
      '--test',
      `--test-reporter=${join(FIXTURES, 'outcome-reporter.mjs')}`,
      join(FIXTURES, 'broken-adapter-parity.ts'),
    ],
    { env: childEnv(flaw), maxBuffer: 16 * 1024 * 1024 },
  );
  // The run fails (exit 1) when tests fail, which is the point: read its output either way.
  const { stdout } = await run.catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '',
  }));
  const outcomes = new Map<string, boolean>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const { name, passed } = JSON.parse(line) as { name: string; passed: boolean };
    outcomes.set(name, passed);
  }
  return outcomes;
}

function assertOutcomes(
  outcomes: Map<string, boolean>,
  failing: readonly string[],
  passing: readonly string[],
): void {
  for (const name of failing) assert.equal(outcomes.get(name), false, `expected "${name}" to fail`);
  for (const name of passing) assert.equal(outcomes.get(name), true, `expected "${name}" to pass`);
}

describe('the conformance suite catches a broken adapter', { concurrency: true }, () => {
  test('one that forgets WWW-Authenticate fails the 401 rows, and only rows like them', async () => {
    const outcomes = await parityOutcomes('forgets-www-authenticate');
    assertOutcomes(
      outcomes,
      [
        'no Authorization header → 401 "Authentication credentials were not provided."',
        'header "Token wrong" → 401 "Invalid token."',
        'token of a user created inactive → 401 "User inactive or deleted."',
        'GET without a token → 401 "Authentication credentials were not provided."',
      ],
      [
        'header "Token <key>" → 200 with an empty body',
        'malformed JSON → 400 {"detail":"JSON parse error - …"}',
        'OPTIONS → 200 with the view metadata and its POST actions',
      ],
    );
  });

  test('one that lets the framework answer unrouted methods fails the 401-before-405 rows', async () => {
    const outcomes = await parityOutcomes('lets-express-answer-unrouted-methods');
    assertOutcomes(
      outcomes,
      [
        'GET without a token → 401 "Authentication credentials were not provided."',
        'OPTIONS without credentials → 401 (OPTIONS is authenticated too)',
        'OPTIONS → 200 with the view metadata and its POST actions',
      ],
      [
        'no Authorization header → 401 "Authentication credentials were not provided."',
        'header "Token <key>" → 200 with an empty body',
      ],
    );
    const failed = [...outcomes].filter(([, passed]) => !passed).map(([name]) => name);
    assert.ok(
      failed.some((name) => name.startsWith('GET with a valid token → 405')),
      failed.join('\n'),
    );
  });
});
