import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GuideCursor, guideSteps, shellWords } from './guide-steps.js';

/** The guard that keeps docs/migrating-from-drf.md and its test together, on pages made here. */
describe('the migration guide’s steps, as the guide test reads them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-guide-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const page = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test('sh lines lose their comments, SQL blocks name their database, python blocks are not run', () => {
    const steps = guideSteps(
      page(
        'ok.md',
        '```sh\nexport A=1   # why\n\nnpx tessera migrate\n```\n\n```python\nX = 1\n```\n\n' +
          '```sql\n-- SQLite\nDROP TABLE t;\n```\n\n```nginx\nserver {}\n```\n',
      ),
    );
    assert.deepEqual(
      steps.map((step) => [step.kind, step.text, step.database]),
      [
        ['sh', 'export A=1', undefined],
        ['sh', 'npx tessera migrate', undefined],
        ['sql', '-- SQLite\nDROP TABLE t;', 'SQLite'],
        ['nginx', 'server {}', undefined],
      ],
    );
  });

  test('a bash or console block, or a SQL block naming no database, is refused', () => {
    assert.throws(() => guideSteps(page('bash.md', '```bash\nrm -rf /\n```\n')), /a bash block/);
    assert.throws(() => guideSteps(page('console.md', '```console\n$ ls\n```\n')), /console/);
    assert.throws(
      () => guideSteps(page('sql.md', '```sql\nDROP TABLE t;\n```\n')),
      /-- <database>/,
    );
  });

  test('shellWords splits NAME=value prefixes and refuses what a shell would interpret', () => {
    assert.deepEqual(shellWords('TESSERA_DRF_TOKENS=read npx tessera serve --port 8001'), {
      env: { TESSERA_DRF_TOKENS: 'read' },
      argv: ['npx', 'tessera', 'serve', '--port', '8001'],
    });
    for (const line of ['echo "a b"', 'a | b', 'a && b', 'a > f', 'echo $HOME']) {
      assert.throws(() => shellWords(line), /not a plain command/);
    }
  });

  test('a step the test does not expect, or one left over, fails', () => {
    const path = page('cursor.md', '```sh\nnpx tessera migrate\nnpx tessera tokens list\n```\n');
    const cursor = new GuideCursor(guideSteps(path));
    cursor.take('sh', /^npx tessera migrate$/);
    assert.deepEqual(
      cursor.rest.map((step) => step.text),
      ['npx tessera tokens list'],
    );
    assert.throws(
      () => cursor.take('sh', /^npx tessera tokens import-drf$/),
      /cursor\.md:1: the guide's next step is sh "npx tessera tokens list"/,
    );
  });
});
