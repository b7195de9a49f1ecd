import { TesseraEvents } from '../../../src/core/events.js';
import { PasswordHasher } from '../../../src/core/passwords/index.js';
import type { Store } from '../../../src/core/store.js';
import { systemClock } from '../../../src/core/time/clock.js';
import { createNamedToken } from '../../../src/core/tokens/token-management.js';
import { createUser } from '../../../src/core/users/users.js';

/** The users and tokens the forward-auth tests use: keys and ids by a short name. */
export interface People {
  readonly keys: {
    /** alice, scope `*`. */
    readonly all: string;
    /** alice, scope `reports` only. */
    readonly reports: string;
    /** alice, scope `orders` only. */
    readonly orders: string;
    /** alice, scope `*`, to be revoked. */
    readonly doomed: string;
    /** zoë (a non-ASCII username), scope `*`. */
    readonly zoe: string;
    /** bob, who is inactive. */
    readonly bob: string;
  };
  readonly aliceId: number;
  readonly zoeId: number;
  readonly tokenIds: { readonly all: number; readonly doomed: number };
}

/** Creates alice, zoë and bob (inactive) and their tokens in a migrated store. */
export async function seedPeople(store: Store): Promise<People> {
  const passwords = new PasswordHasher({ iterations: 1000 });
  const context = { store, clock: systemClock, events: new TesseraEvents(() => {}) };
  const user = (username: string) =>
    createUser(store, passwords, systemClock, { username, password: null });
  const [alice, zoe, bob] = [await user('alice'), await user('zoë'), await user('bob')];
  const token = (userId: number, name: string, scopes?: readonly string[]) =>
    createNamedToken(context, userId, { name, ...(scopes ? { scopes } : {}) });
  const all = await token(alice.id, 'all');
  const doomed = await token(alice.id, 'doomed');
  const keys = {
    all: all.key,
    reports: (await token(alice.id, 'reports', ['reports'])).key,
    orders: (await token(alice.id, 'orders', ['orders'])).key,
    doomed: doomed.key,
    zoe: (await token(zoe.id, 'web')).key,
    bob: (await token(bob.id, 'web')).key,
  };
  await store.updateUser(bob.id, { isActive: false });
  return {
    keys,
    aliceId: alice.id,
    zoeId: zoe.id,
    tokenIds: { all: all.token.id, doomed: doomed.token.id },
  };
}
