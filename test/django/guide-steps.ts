import { join } from 'node:path';
import { ROOT, readPage } from '../docs/markdown.js';

/** The page whose commands the migration-guide test runs. */
export const GUIDE = join(ROOT, 'docs', 'migrating-from-drf.md');

/**
 * One thing the guide tells the reader to run: a line of an `sh` block (a comment dropped), a
 * whole SQL block (its first line, `-- SQLite`, names the database it is for), or the nginx
 * configuration.
 */
export interface GuideStep {
  readonly kind: 'sh' | 'sql' | 'nginx';
  /** `docs/migrating-from-drf.md:42` (the block's opening fence). */
  readonly origin: string;
  readonly text: string;
  /** SQL only: the database its first comment names. */
  readonly database?: string;
}

// Blocks the reader reads but does not run (settings, output). A `console`, `bash` or `shell`
// block would hold commands the test does not know of, so it is refused.
const NOT_RUN = new Set(['python', 'text', '']);

/** Every step of the guide, in the order a reader meets them. */
export function guideSteps(path = GUIDE): GuideStep[] {
  const steps: GuideStep[] = [];
  for (const block of readPage(path).blocks) {
    if (block.language === 'sh') {
      for (const raw of block.code.split('\n')) {
        // A comment starts at `#` after a space; no command of the guide has a `#` in a word.
        const line = raw.replace(/(^|\s)#.*$/, '').trim();
        if (line !== '') steps.push({ kind: 'sh', origin: block.origin, text: line });
      }
    } else if (block.language === 'sql') {
      const database = /^-- (.+)$/.exec(block.code.split('\n')[0] ?? '')?.[1];
      if (!database) throw new Error(`${block.origin}: a SQL block starts with -- <database>`);
      steps.push({ kind: 'sql', origin: block.origin, text: block.code, database });
    } else if (block.language === 'nginx') {
      steps.push({ kind: 'nginx', origin: block.origin, text: block.code });
    } else if (!NOT_RUN.has(block.language)) {
      throw new Error(
        `${block.origin}: a ${block.language} block, which the guide's test cannot run`,
      );
    }
  }
  return steps;
}

/** An `sh` line as its words: `NAME=value` prefixes apart. Quotes are refused, not guessed at. */
export function shellWords(line: string): { env: Record<string, string>; argv: string[] } {
  if (/["'`$\\|;&<>()]/.test(line)) throw new Error(`not a plain command: ${line}`);
  const words = line.split(/\s+/);
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0] as string)) {
    const [name, ...value] = (words.shift() as string).split('=');
    env[name as string] = value.join('=');
  }
  return { env, argv: words };
}

/**
 * Hands the guide's steps out one at a time, each checked against what the test expects next,
 * so a step added, removed or reordered in the guide fails the test instead of going unrun.
 */
export class GuideCursor {
  private next = 0;

  constructor(private readonly steps: readonly GuideStep[]) {}

  /** The next step, which must be of `kind` and match `pattern`. */
  take(kind: GuideStep['kind'], pattern: RegExp): GuideStep {
    const step = this.steps[this.next];
    if (!step) throw new Error(`the guide has no more steps; the test expected ${kind} ${pattern}`);
    if (step.kind !== kind || !pattern.test(step.text)) {
      throw new Error(
        `${step.origin}: the guide's next step is ${step.kind} "${step.text}"; the test ` +
          `expected ${kind} ${pattern}. Update test/django/migration-guide.test.ts with the guide.`,
      );
    }
    this.next += 1;
    return step;
  }

  /** Steps the test has not taken (none once the whole guide ran). */
  get rest(): readonly GuideStep[] {
    return this.steps.slice(this.next);
  }
}
