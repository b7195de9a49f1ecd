import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceUnavailable } from '../../src/core/errors.js';
import { DuplicateError, type NewToken, type NewUser, type Store } from '../../src/core/store.js';
import { MAX_DURATION_SECONDS } from '../../src/core/time/duration.js';
import { generateKey, keyDigest, keyPreview } from '../../src/core/tokens/key-format.js';
import type { Token, TokenKind } from '../../src/core/tokens/token.js';
import type { User } from '../../src/core/users/user.js';
import { ALL_MIGRATIONS } from './migration-names.js';

// Milliseconds on purpose: every date must come back to the millisecond.
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const HASH = 'pbkdf2_sha256$1000000$c2FsdA$aGFzaA==';

function at(seconds: number): Date {
  return new Date(T0 + seconds * 1000);
}

function newUser(username: string, extra: Partial<NewUser> = {}): NewUser {
  return { username, password: HASH, dateJoined: at(0), ...extra };
}

function newToken(userId: number, kind: TokenKind, extra: Partial<NewToken> = {}): NewToken {
  const key = generateKey();
  return {
    userId,
    kind,
    name: kind === 'default' ? 'default' : kind === 'login' ? null : 'ci',
    digest: keyDigest(key),
    preview: keyPreview(key),
    scopes: ['*'],
    created: at(0),
    expires: null,
    slidingSeconds: null,
    maxExpires: null,
    ...extra,
  };
}

function ids(tokens: readonly Token[]): number[] {
  return tokens.map((token) => token.id);
}

async function rejectsWith(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => Error,
) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
    return true;
  });
}

/** How the contract opens the stores it tests; it closes each one. */
export interface ContractStores {
  /** A store on an empty database that has never been migrated. */
  openUnmigrated(): Promise<Store>;
  /** A store on a new database with tessera's migrations applied; default: migrates one. */
  openMigrated?(): Promise<Store>;
}

/** tessera's store contract, run unchanged on every database. */
export function runStoreContract(name: string, stores: ContractStores): void {
  const openFreshStore = () => stores.openUnmigrated();
  const openMigratedStore =
    stores.openMigrated ??
    (async () => {
      const store = await openFreshStore();
      await store.migrate();
      return store;
    });

  async function withStore(work: (store: Store) => Promise<void>): Promise<void> {
    const store = await openMigratedStore();
    try {
      await work(store);
    } finally {
      await store.close();
    }
  }

  describe(`${name}: store contract`, () => {
    describe('migrations', () => {
      test('a fresh database has every migration pending; migrate applies them once', async () => {
        const store = await openFreshStore();
        try {
          assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
          assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
          assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
          assert.deepEqual(await store.pendingMigrations(), []);
          assert.deepEqual(await store.migrate(), []);
          assert.deepEqual(await store.pendingMigrations(), []);
        } finally {
          await store.close();
        }
      });

      test('dialect names the database', async () => {
        const store = await openFreshStore();
        try {
          assert.ok(['sqlite', 'postgres', 'mysql'].includes(store.dialect), store.dialect);
        } finally {
          await store.close();
        }
      });
    });

    describe('users', () => {
      test('createUser fills Django defaults and never returns the password', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('alice'));
          assert.equal(typeof user.id, 'number');
          assert.ok(user.id > 0);
          assert.equal('password' in user, false);
          assert.deepEqual(user, {
            id: user.id,
            username: 'alice',
            email: '',
            firstName: '',
            lastName: '',
            isStaff: false,
            isSuperuser: false,
            isActive: true,
            lastLogin: null,
            dateJoined: at(0),
            isAuthenticated: true,
          });
          assert.deepEqual(await store.getUserById(user.id), { ...user, password: HASH });
        }));

      test('createUser stores every given field, and getUserByUsername reads it back', () =>
        withStore(async (store) => {
          const user = await store.createUser(
            newUser('root', {
              email: 'root@example.com',
              firstName: 'Ada',
              lastName: 'Lovelace',
              isStaff: true,
              isSuperuser: true,
              isActive: false,
              dateJoined: new Date(Date.UTC(2025, 11, 31, 23, 59, 59, 0)),
            }),
          );
          const read = await store.getUserByUsername('root');
          assert.deepEqual(read, { ...user, password: HASH });
          assert.equal(read?.isStaff, true);
          assert.equal(read?.isSuperuser, true);
          assert.equal(read?.isActive, false);
          assert.equal(read?.dateJoined.getTime(), Date.UTC(2025, 11, 31, 23, 59, 59, 0));
        }));

      test('usernames are compared exactly: no case folding, no Unicode normalisation', () =>
        withStore(async (store) => {
          const lower = await store.createUser(newUser('bob'));
          const upper = await store.createUser(newUser('Bob'));
          const composed = await store.createUser(newUser('jos\u00e9'));
          const decomposed = await store.createUser(newUser('jose\u0301'));
          assert.equal(new Set([lower.id, upper.id, composed.id, decomposed.id]).size, 4);
          assert.equal((await store.getUserByUsername('Bob'))?.id, upper.id);
          assert.equal((await store.getUserByUsername('jose\u0301'))?.id, decomposed.id);
          assert.equal(await store.getUserByUsername('BOB'), null);
          assert.equal(await store.getUserByUsername('bob '), null);
        }));

      test('unknown users are null', () =>
        withStore(async (store) => {
          assert.equal(await store.getUserByUsername('nobody'), null);
          assert.equal(await store.getUserById(999_999), null);
        }));

      test('a taken username throws DuplicateError("username") and changes nothing', () =>
        withStore(async (store) => {
          const first = await store.createUser(newUser('carol', { email: 'first@example.com' }));
          await assert.rejects(
            store.createUser(newUser('carol', { email: 'second@example.com' })),
            (error: unknown) => error instanceof DuplicateError && error.field === 'username',
          );
          assert.deepEqual(await store.listUsers(), [first]);
        }));

      test('listUsers returns every user by id, without passwords', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.listUsers(), []);
          const created: User[] = [];
          for (const username of ['zed', 'amy', 'kim']) {
            created.push(await store.createUser(newUser(username)));
          }
          const listed = await store.listUsers();
          assert.deepEqual(listed, created);
          assert.deepEqual(
            listed.map((user) => user.id),
            [...created.map((user) => user.id)].sort((a, b) => a - b),
          );
          for (const user of listed) assert.equal('password' in user, false);
        }));

      test('updateUser changes the given fields only', () =>
        withStore(async (store) => {
          const dave = await store.createUser(newUser('dave', { email: 'old@example.com' }));
          const other = await store.createUser(newUser('erin'));
          const lastLogin = at(3600.25);
          await store.updateUser(dave.id, {
            password: 'pbkdf2_sha256$1$new$hash=',
            email: 'new@example.com',
            isActive: false,
            isStaff: true,
            isSuperuser: true,
            lastLogin,
          });
          assert.deepEqual(await store.getUserById(dave.id), {
            ...dave,
            password: 'pbkdf2_sha256$1$new$hash=',
            email: 'new@example.com',
            isActive: false,
            isStaff: true,
            isSuperuser: true,
            lastLogin,
          });
          await store.updateUser(dave.id, { isActive: true });
          const after = await store.getUserById(dave.id);
          assert.equal(after?.isActive, true);
          assert.equal(after?.isStaff, true);
          assert.equal(after?.lastLogin?.getTime(), lastLogin.getTime());
          await store.updateUser(dave.id, {});
          assert.deepEqual(await store.getUserById(dave.id), after);
          assert.deepEqual(await store.getUserById(other.id), { ...other, password: HASH });
        }));

      test('updateUser on an unknown id changes nothing and does not throw', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('frank'));
          await store.updateUser(999_999, { email: 'x@example.com' });
          assert.deepEqual(await store.listUsers(), [user]);
        }));

      test('deleteUser removes the user and their tokens, and nobody else’s', () =>
        withStore(async (store) => {
          const gone = await store.createUser(newUser('gone'));
          const kept = await store.createUser(newUser('kept'));
          const goneToken = newToken(gone.id, 'default');
          await store.createToken(goneToken);
          await store.createToken(newToken(gone.id, 'login'));
          await store.createToken(newToken(gone.id, 'named'));
          const keptToken = await store.createToken(newToken(kept.id, 'named'));
          await store.deleteUser(gone.id);
          assert.equal(await store.getUserById(gone.id), null);
          assert.equal(await store.findTokenByDigest(goneToken.digest), null);
          assert.deepEqual(await store.listTokens(), [keptToken]);
          assert.deepEqual(await store.listUsers(), [kept]);
        }));
    });

    describe('tokens', () => {
      test('createToken returns the stored token, and getToken reads it back to the millisecond', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('gina'));
          const input = newToken(user.id, 'named', {
            name: 'deploy',
            scopes: ['read', 'write'],
            created: at(1.001),
            expires: at(86_400.999),
            slidingSeconds: 3600,
            maxExpires: at(604_800.5),
          });
          const token = await store.createToken(input);
          assert.equal(typeof token.id, 'number');
          assert.equal('digest' in token, false);
          assert.deepEqual(token, {
            id: token.id,
            userId: user.id,
            kind: 'named',
            name: 'deploy',
            preview: input.preview,
            scopes: ['read', 'write'],
            created: at(1.001),
            expires: at(86_400.999),
            lastUsed: null,
            slidingSeconds: 3600,
            maxExpires: at(604_800.5),
          });
          const read = await store.getToken(token.id);
          assert.deepEqual(read, token);
          assert.ok(read?.created instanceof Date);
          assert.equal(read?.expires?.getTime(), at(86_400.999).getTime());
        }));

      test('getToken and getDefaultToken are null when there is none', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('hank'));
          await store.createToken(newToken(user.id, 'named'));
          assert.equal(await store.getToken(999_999), null);
          assert.equal(await store.getDefaultToken(user.id), null);
        }));

      test('a user’s token names are unique; login tokens (no name) never collide', () =>
        withStore(async (store) => {
          const ivy = await store.createUser(newUser('ivy'));
          const jon = await store.createUser(newUser('jon'));
          await store.createToken(newToken(ivy.id, 'named', { name: 'ci' }));
          await assert.rejects(
            store.createToken(newToken(ivy.id, 'named', { name: 'ci' })),
            (error: unknown) => error instanceof DuplicateError && error.field === 'name',
          );
          await store.createToken(newToken(ivy.id, 'named', { name: 'CI' }));
          await store.createToken(newToken(jon.id, 'named', { name: 'ci' }));
          await store.createToken(newToken(ivy.id, 'login'));
          await store.createToken(newToken(ivy.id, 'login'));
          assert.equal((await store.listTokens({ userId: ivy.id })).length, 4);
        }));

      test('replaceDefaultToken swaps the user’s default token and nothing else', () =>
        withStore(async (store) => {
          const kate = await store.createUser(newUser('kate'));
          const liam = await store.createUser(newUser('liam'));
          const liamDefault = await store.replaceDefaultToken(newToken(liam.id, 'default'));
          const named = await store.createToken(newToken(kate.id, 'named'));
          const firstInput = newToken(kate.id, 'default', { created: at(1) });
          const first = await store.replaceDefaultToken(firstInput);
          assert.deepEqual(await store.getDefaultToken(kate.id), first);
          const secondInput = newToken(kate.id, 'default', { created: at(2) });
          const second = await store.replaceDefaultToken(secondInput);
          assert.notEqual(second.id, first.id);
          assert.equal(await store.getToken(first.id), null);
          assert.deepEqual(await store.getDefaultToken(kate.id), second);
          assert.equal(await store.findTokenByDigest(firstInput.digest), null);
          assert.equal((await store.findTokenByDigest(secondInput.digest))?.token.id, second.id);
          assert.deepEqual(await store.getToken(named.id), named);
          assert.deepEqual(await store.getDefaultToken(liam.id), liamDefault);
        }));

      test('createLoginToken keeps the newest `limit` login tokens of that user only', () =>
        withStore(async (store) => {
          const mia = await store.createUser(newUser('mia'));
          const ned = await store.createUser(newUser('ned'));
          const nedLogin = await store.createLoginToken(newToken(ned.id, 'login'), 3);
          const named = await store.createToken(newToken(mia.id, 'named'));
          const created: Token[] = [];
          for (let i = 0; i < 5; i++) {
            const token = await store.createLoginToken(
              newToken(mia.id, 'login', { created: at(i) }),
              3,
            );
            created.push(token);
            assert.deepEqual(await store.getToken(token.id), token);
          }
          const logins = (await store.listTokens({ userId: mia.id })).filter(
            (t) => t.kind === 'login',
          );
          assert.deepEqual(ids(logins), ids(created.slice(2)));
          assert.deepEqual(await store.getToken(named.id), named);
          assert.deepEqual(await store.listTokens({ userId: ned.id }), [nedLogin]);
        }));

      test('login tokens created in the same instant are trimmed oldest id first', () =>
        withStore(async (store) => {
          const olga = await store.createUser(newUser('olga'));
          const created: Token[] = [];
          for (let i = 0; i < 4; i++) {
            created.push(await store.createLoginToken(newToken(olga.id, 'login'), 2));
          }
          assert.deepEqual(ids(await store.listTokens({ userId: olga.id })), ids(created.slice(2)));
        }));

      test('listTokens lists oldest first (by created, then id), for everyone or one user', () =>
        withStore(async (store) => {
          const pam = await store.createUser(newUser('pam'));
          const quin = await store.createUser(newUser('quin'));
          const late = await store.createToken(
            newToken(pam.id, 'named', { name: 'late', created: at(10) }),
          );
          const early = await store.createToken(newToken(quin.id, 'named', { created: at(1) }));
          const tieA = await store.createToken(
            newToken(pam.id, 'named', { name: 'a', created: at(5) }),
          );
          const tieB = await store.createToken(newToken(quin.id, 'login', { created: at(5) }));
          assert.deepEqual(await store.listTokens(), [early, tieA, tieB, late]);
          assert.deepEqual(await store.listTokens({}), [early, tieA, tieB, late]);
          assert.deepEqual(await store.listTokens({ userId: pam.id }), [tieA, late]);
          assert.deepEqual(await store.listTokens({ userId: 999_999 }), []);
        }));

      test('deleteToken says whether a token was deleted', () =>
        withStore(async (store) => {
          const rae = await store.createUser(newUser('rae'));
          const doomed = await store.createToken(newToken(rae.id, 'named', { name: 'a' }));
          const kept = await store.createToken(newToken(rae.id, 'named', { name: 'b' }));
          assert.equal(await store.deleteToken(doomed.id), true);
          assert.equal(await store.deleteToken(doomed.id), false);
          assert.deepEqual(await store.listTokens(), [kept]);
        }));

      test('deleteUserTokens deletes every token of one user and counts them', () =>
        withStore(async (store) => {
          const sam = await store.createUser(newUser('sam'));
          const tia = await store.createUser(newUser('tia'));
          await store.replaceDefaultToken(newToken(sam.id, 'default'));
          await store.createLoginToken(newToken(sam.id, 'login'), 10);
          await store.createToken(newToken(sam.id, 'named'));
          const kept = await store.createToken(newToken(tia.id, 'named'));
          assert.equal(await store.deleteUserTokens(sam.id), 3);
          assert.equal(await store.deleteUserTokens(sam.id), 0);
          assert.deepEqual(await store.listTokens(), [kept]);
          assert.deepEqual((await store.getUserById(sam.id))?.username, 'sam');
        }));
    });

    describe('token lifecycle', () => {
      test('rotateToken swaps the digest and preview, keeping id, name, scopes and expiry', () =>
        withStore(async (store) => {
          const uma = await store.createUser(newUser('uma'));
          const original = await store.createToken(
            newToken(uma.id, 'named', {
              name: 'ci',
              scopes: ['builds:trigger'],
              expires: at(3600),
            }),
          );
          const key = generateKey();
          const rotated = await store.rotateToken(original.id, keyDigest(key), keyPreview(key));
          assert.deepEqual(rotated, { ...original, preview: keyPreview(key) });
          const match = await store.findTokenByDigest(keyDigest(key));
          assert.equal(match?.token.id, original.id);
          assert.equal(
            await store.rotateToken(999_999, keyDigest(generateKey()), 'tsr_xxxx'),
            null,
          );
        }));

      test('rotateToken leaves the old digest unable to find the token', () =>
        withStore(async (store) => {
          const vic = await store.createUser(newUser('vic'));
          const row = newToken(vic.id, 'named');
          const token = await store.createToken(row);
          const key = generateKey();
          await store.rotateToken(token.id, keyDigest(key), keyPreview(key));
          assert.equal(await store.findTokenByDigest(row.digest), null);
        }));

      test('deleteExpiredTokens deletes tokens expired at or before now, and counts them', () =>
        withStore(async (store) => {
          const wes = await store.createUser(newUser('wes'));
          await store.createToken(newToken(wes.id, 'named', { name: 'past', expires: at(-1) }));
          await store.createToken(newToken(wes.id, 'named', { name: 'now', expires: at(0) }));
          const later = await store.createToken(
            newToken(wes.id, 'named', { name: 'later', expires: at(1) }),
          );
          const never = await store.createToken(newToken(wes.id, 'named', { name: 'never' }));
          assert.equal(await store.deleteExpiredTokens(at(0)), 2);
          assert.deepEqual(ids(await store.listTokens()), [later.id, never.id]);
          assert.equal(await store.deleteExpiredTokens(at(0)), 0);
        }));

      test('the latest date every store holds and the longest sliding lifetime round-trip', () =>
        withStore(async (store) => {
          const yan = await store.createUser(newUser('yan'));
          // 9999-12-31 23:59:59.999: MySQL's datetime ends there and SQLite's text has 4-digit years.
          const latest = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
          const row = newToken(yan.id, 'named', {
            name: 'latest',
            expires: latest,
            maxExpires: latest,
            slidingSeconds: MAX_DURATION_SECONDS,
          });
          const created = await store.createToken(row);
          const read = await store.getToken(created.id);
          assert.equal(read?.expires?.getTime(), latest.getTime());
          assert.equal(read?.maxExpires?.getTime(), latest.getTime());
          assert.equal(read?.slidingSeconds, MAX_DURATION_SECONDS);
          const match = await store.findTokenByDigest(row.digest);
          assert.equal(match?.token.expires?.getTime(), latest.getTime());
          await store.recordTokenUses([{ id: created.id, expires: latest }]);
          // Compared as dates, not text, on every store: far from expired.
          assert.equal(await store.deleteExpiredTokens(at(0)), 0);
          assert.deepEqual(ids(await store.listTokens({ userId: yan.id })), [created.id]);
        }));

      test('recordTokenUses writes last used, and moves an expiry forward only', () =>
        withStore(async (store) => {
          const xia = await store.createUser(newUser('xia'));
          const a = await store.createToken(
            newToken(xia.id, 'named', { name: 'a', expires: at(600), slidingSeconds: 600 }),
          );
          const b = await store.createToken(
            newToken(xia.id, 'named', { name: 'b', expires: at(600), slidingSeconds: 600 }),
          );
          await store.recordTokenUses([
            { id: a.id, lastUsed: at(60), expires: at(660) },
            { id: b.id, expires: at(300) },
          ]);
          const [readA, readB] = [await store.getToken(a.id), await store.getToken(b.id)];
          assert.deepEqual(readA?.lastUsed, at(60));
          assert.deepEqual(readA?.expires, at(660));
          assert.equal(readB?.lastUsed, null);
          assert.deepEqual(readB?.expires, at(600));
          await store.recordTokenUses([]);
          await store.recordTokenUses([{ id: 999_999, lastUsed: at(1) }]);
        }));
    });

    describe('findTokenByDigest', () => {
      test('returns the token and its user, typed, without password or digest', () =>
        withStore(async (store) => {
          const user = await store.createUser(
            newUser('uma', {
              email: 'uma@example.com',
              firstName: 'Uma',
              lastName: 'Ü',
              isStaff: true,
              dateJoined: at(0.5),
            }),
          );
          const lastLogin = at(7.007);
          await store.updateUser(user.id, { lastLogin });
          const input = newToken(user.id, 'named', {
            scopes: ['read'],
            created: at(1),
            expires: at(2.002),
            slidingSeconds: 60,
            maxExpires: at(3.003),
          });
          const token = await store.createToken(input);
          const match = await store.findTokenByDigest(input.digest);
          assert.ok(match !== null);
          assert.deepEqual(match.token, token);
          assert.deepEqual(match.user, { ...user, lastLogin });
          assert.equal('password' in match.user, false);
          assert.equal('digest' in match.token, false);
          assert.equal(match.user.isAuthenticated, true);
          assert.equal(match.user.isStaff, true);
          assert.equal(match.user.isSuperuser, false);
          assert.equal(match.user.isActive, true);
          assert.ok(match.user.dateJoined instanceof Date);
          assert.equal(match.user.dateJoined.getTime(), at(0.5).getTime());
          assert.equal(match.user.lastLogin?.getTime(), lastLogin.getTime());
          assert.equal(match.token.expires?.getTime(), at(2.002).getTime());
          assert.equal(match.token.maxExpires?.getTime(), at(3.003).getTime());
          assert.equal(match.token.created.getTime(), at(1).getTime());
          assert.equal(match.token.userId, user.id);
          assert.equal(match.token.slidingSeconds, 60);
          assert.deepEqual(match.token.scopes, ['read']);
        }));

      test('is null for an unknown digest', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('vic'));
          await store.createToken(newToken(user.id, 'named'));
          assert.equal(await store.findTokenByDigest(keyDigest(generateKey())), null);
          assert.equal(await store.findTokenByDigest(''), null);
        }));

      test('still finds the token of an inactive user: the authenticator decides', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('wes', { isActive: false }));
          const input = newToken(user.id, 'login');
          await store.createToken(input);
          const match = await store.findTokenByDigest(input.digest);
          assert.equal(match?.user.isActive, false);
          assert.equal(match?.token.name, null);
          assert.equal(match?.token.kind, 'login');
        }));

      test('sees committed changes to the user at once', () =>
        withStore(async (store) => {
          const user = await store.createUser(newUser('xan'));
          const input = newToken(user.id, 'default');
          await store.replaceDefaultToken(input);
          assert.equal((await store.findTokenByDigest(input.digest))?.user.isActive, true);
          await store.updateUser(user.id, { isActive: false });
          assert.equal((await store.findTokenByDigest(input.digest))?.user.isActive, false);
        }));
    });

    describe('close', () => {
      test('is idempotent, and a closed store answers ServiceUnavailable', async () => {
        const store = await openMigratedStore();
        await store.close();
        await store.close();
        await rejectsWith(store.getUserById(1), ServiceUnavailable);
        await rejectsWith(store.findTokenByDigest(keyDigest(generateKey())), ServiceUnavailable);
      });
    });
  });
}
