import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { nodePbkdf2, type Pbkdf2Function } from '../../../src/core/passwords/django-pbkdf2.js';
import { lowPriorityPbkdf2 } from '../../../src/core/passwords/low-priority-pbkdf2.js';

/** The nice value of each of this process's threads (Linux: field 19 of its stat line). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  });
}

describe('lowPriorityPbkdf2', () => {
  test('derives the keys crypto.pbkdf2 derives, several at once', async () => {
    const derive = lowPriorityPbkdf2(2);
    const cases: Parameters<Pbkdf2Function>[] = [
      ['correct horse', 'seasalt', 1000, 32, 'sha256'],
      ['pässwörd', 'salt2', 2000, 20, 'sha1'],
      ['', 'salt3', 10, 32, 'sha256'],
    ];
    const keys = await Promise.all(cases.map((args) => derive(...args)));
    const expected = await Promise.all(cases.map((args) => nodePbkdf2(...args)));
    assert.deepEqual(
      keys.map((key) => Buffer.from(key).toString('hex')),
      expected.map((key) => Buffer.from(key).toString('hex')),
    );
  });

  test('hashes on a thread of nice 19 while the event loop keeps its priority', async () => {
    await lowPriorityPbkdf2(1)('password', 'salt', 1000, 32, 'sha256');
    const nice = threadNiceValues();
    assert.ok(nice.includes(19), `a thread at nice 19 among ${nice.join(',')}`);
    assert.ok(nice.includes(0), 'the main thread is not niced');
  });
});
