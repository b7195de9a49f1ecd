// What the PostgreSQL and MySQL store tests share: rows to insert, error checks, and the case
// of a server that accepts connections and never answers.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { inspect } from 'node:util';
import { ServiceUnavailable } from '../../src/core/errors.js';
import { DuplicateError, type NewToken, type Store } from '../../src/core/store.js';
import { generateKey, keyDigest, keyPreview } from '../../src/core/tokens/key-format.js';

/** A named token row for `userId`, with a fresh key. */
export function newToken(userId: number, extra: Partial<NewToken> = {}): NewToken {
  const key = generateKey();
  return {
    userId,
    kind: 'named',
    name: 'ci',
    digest: keyDigest(key),
    preview: keyPreview(key),
    scopes: ['*'],
    created: new Date(Date.UTC(2026, 0, 1)),
    expires: null,
    slidingSeconds: null,
    maxExpires: null,
    ...extra,
  };
}

/** A user row with an unusable password. */
export const user = (username: string) => ({ username, password: 'x', dateJoined: new Date() });

/** The thrown error, printed as a log would print it, must not contain any of `secrets`. */
export function assertNothingLeaks(error: unknown, secrets: readonly string[]): void {
  const printed = inspect(error, { depth: 10 });
  for (const secret of secrets) assert.equal(printed.includes(secret), false, printed);
}

/** The driver's code on the error a store wrapped. */
export function causeCode(error: unknown): unknown {
  return (error as { cause?: { code?: unknown } }).cause?.code;
}

type WithStore = (
  url: string,
  work: (store: Store) => Promise<void>,
  options: { connectTimeoutMs: number },
) => Promise<void>;

/**
 * A TCP server that accepts and never answers, at `scheme://tessera@127.0.0.1:<port>/tessera`:
 * reads and the token lookup must fail with ServiceUnavailable once the connect timeout passes.
 */
export async function assertSilentServerTimesOut(scheme: string, withStore: WithStore) {
  const silent: Server = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  try {
    await withStore(
      `${scheme}://tessera@127.0.0.1:${port}/tessera`,
      async (store) => {
        await assert.rejects(store.getUserById(1), ServiceUnavailable);
        await assert.rejects(store.findTokenByDigest(keyDigest(generateKey())), ServiceUnavailable);
      },
      { connectTimeoutMs: 200 },
    );
  } finally {
    silent.close();
    silent.unref();
  }
}

/**
 * On a migrated `store`: a second user named `username`, a token reusing a digest and one reusing
 * a name are DuplicateErrors naming the field, and none of them prints `hidden` or the digest.
 */
export async function assertDuplicatesNamed(store: Store, username: string, hidden: string) {
  const owner = await store.createUser(user(username));
  await assert.rejects(store.createUser(user(username)), (error: unknown) => {
    assert.ok(error instanceof DuplicateError);
    assert.equal(error.field, 'username');
    assertNothingLeaks(error, [hidden]);
    return true;
  });
  const token = newToken(owner.id, { name: 'zq-name-1234' });
  await store.createToken(token);
  await assert.rejects(
    store.createToken(newToken(owner.id, { name: 'other', digest: token.digest })),
    (error: unknown) => {
      assert.ok(error instanceof DuplicateError);
      assert.equal(error.field, 'digest');
      assertNothingLeaks(error, [token.digest]);
      return true;
    },
  );
  await assert.rejects(
    store.createToken(newToken(owner.id, { name: 'zq-name-1234' })),
    (error: unknown) => error instanceof DuplicateError && error.field === 'name',
  );
}
