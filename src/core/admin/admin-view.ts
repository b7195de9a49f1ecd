import { randomBytes } from 'node:crypto';
import type { ClientAddressResolver } from '../auth/client-address.js';
import { prohibitedCharacterErrors } from '../drf-compat/fields.js';
import { ApiError, Throttled, ValidationError } from '../errors.js';
import type { TesseraEvents } from '../events.js';
import type { ViewRequest } from '../http/request.js';
import type { HandleOptions, View } from '../http/view.js';
import type { ViewResponse } from '../http/view-response.js';
import type { PasswordHasher } from '../passwords/index.js';
import type { Store } from '../store.js';
import type { LoginThrottle } from '../throttling/login-throttle.js';
import type { Clock } from '../time/clock.js';
import {
  createNamedToken,
  revokeToken,
  revokeUserTokens,
  rotateToken,
} from '../tokens/token-management.js';
import type { User } from '../users/user.js';
import { authenticateUser } from '../views/obtain-token.js';
import {
  messagePage,
  type PageContext,
  STAFF_LOGIN_REFUSAL,
  signInPage,
  tokensPage,
  usersPage,
} from './admin-pages.js';
import { ADMIN_ALLOW, type AdminAnswer, adminResponse } from './admin-response.js';
import type { AdminStore } from './admin-store.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { parseExpiresIn, parseScopes, validationMessages } from './form-values.js';
import { postOriginAllowed } from './post-origin.js';
import { randomId, sameSecret, seal, sessionDigest, signValue, unseal } from './secrets.js';
import { isActiveStaff, mayActOn } from './staff-permissions.js';

/** The session cookie; `__Host-` is not used because the cookie is scoped to `/admin/`. */
export const SESSION_COOKIE = 'tessera_admin_session';
/** The sign-in form's CSRF cookie (before there is a session to bind the token to). */
export const CSRF_COOKIE = 'tessera_admin_csrf';
/** The sealed new key, shown by the next page and then deleted. */
export const NEW_KEY_COOKIE = 'tessera_admin_new_key';

const PAGE_SIZE = 50;

/** What the admin page is built from; `createTessera` gives all of it. */
export interface AdminContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly events: TesseraEvents;
  readonly passwords: PasswordHasher;
  readonly loginThrottle: LoginThrottle;
  readonly clientAddress: ClientAddressResolver;
  /** Whether a trusted proxy's `X-Forwarded-Proto` says the request came over HTTPS. */
  readonly trustForwardedProto: boolean;
}

/** Options of the admin page. */
export interface AdminViewOptions {
  /** `TESSERA_SECRET_KEY`; default the one `migrate` generated and stored in the database. */
  readonly secretKey?: string | null;
  /** Origins besides the request's own whose posts are accepted (`https://admin.example.com`). */
  readonly trustedOrigins?: readonly string[];
  /** How long a session lasts after sign-in, in seconds; default 8 hours. */
  readonly sessionSeconds?: number;
  /** Always mark cookies `Secure` (the server is HTTPS-only); default: when the request was. */
  readonly secureCookies?: boolean;
}

interface SignedIn {
  readonly user: User;
  readonly digest: string;
  readonly csrfToken: string;
}

/**
 * The admin page at `/admin/` (mount it at `/admin/` and `/admin/:page/`): staff sign in with a
 * server-side session and manage users and tokens through plain form posts.
 */
export function adminView(context: AdminContext, options: AdminViewOptions = {}): View {
  const { store, clock, events } = context;
  const sessionMs = (options.sessionSeconds ?? 8 * 3600) * 1000;
  const trustedOrigins = new Set(options.trustedOrigins ?? []);
  // A short key would make every session and CSRF token guessable offline; Django's check asks
  // for 50 characters, tessera for the 32 that give HMAC-SHA256 its strength.
  if (options.secretKey && options.secretKey.length < 32) {
    throw new RangeError('The secret key (TESSERA_SECRET_KEY) must be at least 32 characters.');
  }
  const tokens = { store, clock, events };
  let secretKey: Promise<string> | undefined;

  function adminStore(): AdminStore {
    if (!store.admin) throw new Error('This store cannot serve the admin page.');
    return store.admin();
  }

  function secret(): Promise<string> {
    if (options.secretKey) return Promise.resolve(options.secretKey);
    secretKey ??= adminStore()
      .storedSecretKey()
      .catch((error: unknown) => {
        secretKey = undefined;
        throw error;
      });
    return secretKey;
  }

  function isSecure(raw: ViewRequest): boolean {
    if (options.secureCookies) return true;
    const proto = raw.header('x-forwarded-proto');
    return context.trustForwardedProto && proto?.split(',')[0]?.trim().toLowerCase() === 'https';
  }

  function originAllowed(raw: ViewRequest): boolean {
    return postOriginAllowed(raw, isSecure(raw) ? 'https' : 'http', trustedOrigins);
  }

  async function signedIn(raw: ViewRequest): Promise<SignedIn | null> {
    const id = parseCookies(raw.header('cookie')).get(SESSION_COOKIE);
    if (!id) return null;
    const digest = sessionDigest(id);
    const session = await adminStore().findSession(digest);
    if (!session) return null;
    const key = await secret();
    const user =
      session.expires.getTime() > clock.now() ? await store.getUserById(session.userId) : null;
    // Expired, deactivated, no longer staff, or the password changed: the session is over.
    if (
      !user ||
      !isActiveStaff(user) ||
      !sameSecret(session.userHash, signValue(key, 'session-auth', user.password))
    ) {
      await adminStore().deleteSession(digest);
      return null;
    }
    const { password: _hash, ...withoutPassword } = user;
    return { user: withoutPassword, digest, csrfToken: signValue(key, 'csrf', digest) };
  }

  // No username holds a NUL (DRF's fields refuse one) and PostgreSQL cannot even compare one: it
  // fails the query. Such a name is nobody's, answered as any unknown name without a query.
  function isNoName(username: string): boolean {
    return prohibitedCharacterErrors(username).length > 0;
  }

  function userNamed(username: string): Promise<User | null> {
    return isNoName(username) ? Promise.resolve(null) : store.getUserByUsername(username);
  }

  function audit(actor: User, action: string, detail: { userId?: number; tokenId?: number }): void {
    events.emit('admin_action', { actorId: actor.id, actor: actor.username, action, ...detail });
  }

  async function readForm(raw: ViewRequest): Promise<URLSearchParams> {
    const type = raw.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
    return new URLSearchParams(new TextDecoder().decode(await raw.readBody()));
  }

  async function signInForm(
    raw: ViewRequest,
    nonce: string,
    extra: { username?: string; errors?: string[]; status?: number } = {},
  ): Promise<AdminAnswer> {
    const key = await secret();
    let anon = parseCookies(raw.header('cookie')).get(CSRF_COOKIE);
    let cookie: string | undefined;
    if (!anon || !/^[A-Za-z0-9_-]{43}$/.test(anon)) {
      anon = randomId();
      cookie = serializeCookie(CSRF_COOKIE, anon, { secure: isSecure(raw) });
    }
    return {
      status: extra.status ?? 200,
      body: signInPage({ nonce, csrfToken: signValue(key, 'csrf-anon', anon), ...extra }),
      ...(cookie ? { cookie } : {}),
    };
  }

  async function signIn(
    raw: ViewRequest,
    form: URLSearchParams,
    nonce: string,
  ): Promise<AdminAnswer> {
    const key = await secret();
    const anon = parseCookies(raw.header('cookie')).get(CSRF_COOKIE);
    const token = form.get('csrfmiddlewaretoken') ?? '';
    if (!anon || !sameSecret(token, signValue(key, 'csrf-anon', anon))) return forbidden(nonce);
    // Under a login flood, refuse before any hash, as obtain-token does.
    if (context.passwords.limit.saturated) {
      return {
        status: 503,
        body: messagePage(nonce, 'Busy', 'Too many sign-ins at once; try again.'),
      };
    }
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    let attempt: Awaited<ReturnType<LoginThrottle['reserve']>>;
    try {
      attempt = await context.loginThrottle.reserve(username, context.clientAddress(raw));
    } catch (error) {
      if (!(error instanceof Throttled)) throw error;
      return signInForm(raw, nonce, { username, status: 429, errors: [String(error.detail)] });
    }
    let user: User | null;
    try {
      if (isNoName(username)) {
        // The same hashing as for an unknown user, so the answer takes as long.
        await context.passwords.checkUnknownUser(password);
        user = null;
      } else {
        user = username && password ? await authenticateUser(context, username, password) : null;
      }
    } catch (error) {
      await attempt.abandoned();
      throw error;
    }
    if (!user || !isActiveStaff(user)) {
      await attempt.failed();
      return signInForm(raw, nonce, { username, errors: [STAFF_LOGIN_REFUSAL] });
    }
    await attempt.succeeded();
    // A new session id at every sign-in: an id planted before sign-in is worth nothing after.
    const previous = parseCookies(raw.header('cookie')).get(SESSION_COOKIE);
    if (previous) await adminStore().deleteSession(sessionDigest(previous));
    const stored = await store.getUserById(user.id);
    if (!stored) return signInForm(raw, nonce, { username, errors: [STAFF_LOGIN_REFUSAL] });
    const id = randomId();
    // Expired sessions are swept at sign-in, so the table holds about one row per live session.
    await adminStore().deleteExpiredSessions(new Date(clock.now()));
    await adminStore().createSession(sessionDigest(id), {
      userId: user.id,
      expires: new Date(clock.now() + sessionMs),
      userHash: signValue(key, 'session-auth', stored.password),
    });
    await store.updateUser(user.id, { lastLogin: new Date(clock.now()) });
    audit(user, 'sign_in', {});
    return {
      status: 303,
      location: '/admin/',
      cookie: serializeCookie(SESSION_COOKIE, id, { secure: isSecure(raw) }),
    };
  }

  function forbidden(
    nonce: string,
    message = 'CSRF verification failed. Request aborted.',
  ): AdminAnswer {
    return { status: 403, body: messagePage(nonce, 'Forbidden', message) };
  }

  async function target(id: string | null): Promise<User | null> {
    const number = Number(id);
    if (!Number.isSafeInteger(number) || number <= 0) return null;
    return store.getUserById(number);
  }

  async function tokensAnswer(
    raw: ViewRequest,
    session: SignedIn,
    nonce: string,
    extra: { status?: number; errors?: string[]; form?: Record<string, string> } = {},
  ): Promise<AdminAnswer> {
    const filterUser = raw.query('user')?.trim() ?? '';
    const before = Number(raw.query('before'));
    let userId: number | undefined;
    if (filterUser) userId = (await userNamed(filterUser))?.id ?? -1;
    const page =
      userId === -1
        ? { rows: [], next: null }
        : await adminStore().tokenPage({
            limit: PAGE_SIZE,
            ...(userId !== undefined ? { userId } : {}),
            ...(Number.isSafeInteger(before) && before > 0 ? { beforeId: before } : {}),
          });
    const key = await secret();
    const sealed = parseCookies(raw.header('cookie')).get(NEW_KEY_COOKIE);
    const newKey = sealed ? unseal(key, session.digest, sealed) : null;
    const pageContext: PageContext = {
      nonce,
      csrfToken: session.csrfToken,
      user: session.user,
      errors: extra.errors ?? [],
    };
    return {
      status: extra.status ?? 200,
      body: tokensPage(pageContext, {
        newKey,
        page,
        filterUser,
        ...(extra.form ? { form: extra.form } : {}),
      }),
      // Shown once: the page that shows the key deletes the cookie that carried it.
      ...(sealed
        ? { cookie: serializeCookie(NEW_KEY_COOKIE, '', { secure: isSecure(raw), maxAge: 0 }) }
        : {}),
    };
  }

  async function usersAnswer(
    raw: ViewRequest,
    session: SignedIn,
    nonce: string,
    extra: { status?: number; errors?: string[]; notice?: string } = {},
  ): Promise<AdminAnswer> {
    const search = raw.query('q')?.trim() ?? '';
    const before = Number(raw.query('before'));
    const page = isNoName(search)
      ? { rows: [], next: null }
      : await adminStore().userPage({
          limit: PAGE_SIZE,
          ...(search ? { search } : {}),
          ...(Number.isSafeInteger(before) && before > 0 ? { beforeId: before } : {}),
        });
    const pageContext: PageContext = {
      nonce,
      csrfToken: session.csrfToken,
      user: session.user,
      errors: extra.errors ?? [],
    };
    return {
      status: extra.status ?? 200,
      body: usersPage(pageContext, {
        page,
        search,
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    };
  }

  function showKey(
    raw: ViewRequest,
    session: SignedIn,
    key: string,
    secretKey: string,
  ): AdminAnswer {
    return {
      status: 303,
      location: '/admin/',
      cookie: serializeCookie(NEW_KEY_COOKIE, seal(secretKey, session.digest, key), {
        secure: isSecure(raw),
        maxAge: 300,
      }),
    };
  }

  const SUPERUSER_NEEDED =
    "Only a superuser may act on a staff member's or a superuser's tokens and account.";

  async function act(
    raw: ViewRequest,
    page: string,
    form: URLSearchParams,
    session: SignedIn,
    nonce: string,
  ): Promise<AdminAnswer> {
    const actor = session.user;
    const key = await secret();
    switch (page) {
      case 'sign-out': {
        await adminStore().deleteSession(session.digest);
        audit(actor, 'sign_out', {});
        return {
          status: 303,
          location: '/admin/',
          cookie: serializeCookie(SESSION_COOKIE, '', { secure: isSecure(raw), maxAge: 0 }),
        };
      }
      case 'create': {
        const values = {
          username: form.get('username')?.trim() ?? '',
          name: form.get('name') ?? '',
          scopes: form.get('scopes') ?? '',
          expires_in: form.get('expires_in') ?? '',
        };
        const owner = values.username ? await userNamed(values.username) : null;
        if (!owner)
          return tokensAnswer(raw, session, nonce, {
            status: 400,
            errors: [`No user is named "${values.username}".`],
            form: values,
          });
        if (!mayActOn(actor, owner))
          return tokensAnswer(raw, session, nonce, {
            status: 403,
            errors: [SUPERUSER_NEEDED],
            form: values,
          });
        const expires = parseExpiresIn(values.expires_in);
        if ('error' in expires)
          return tokensAnswer(raw, session, nonce, {
            status: 400,
            errors: [expires.error],
            form: values,
          });
        const scopes = parseScopes(values.scopes);
        try {
          const issued = await createNamedToken(tokens, owner.id, {
            name: values.name,
            expiresInSeconds: expires.seconds,
            ...(scopes.length > 0 ? { scopes } : {}),
          });
          audit(actor, 'token_created', { userId: owner.id, tokenId: issued.token.id });
          return showKey(raw, session, issued.key, key);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return tokensAnswer(raw, session, nonce, {
            status: 400,
            errors: validationMessages(error),
            form: values,
          });
        }
      }
      case 'revoke':
      case 'rotate': {
        const id = Number(form.get('id'));
        const token = Number.isSafeInteger(id) && id > 0 ? await store.getToken(id) : null;
        const owner = token ? await store.getUserById(token.userId) : null;
        if (!token || !owner)
          return tokensAnswer(raw, session, nonce, {
            status: 404,
            errors: ['That token no longer exists.'],
          });
        if (!mayActOn(actor, owner))
          return tokensAnswer(raw, session, nonce, { status: 403, errors: [SUPERUSER_NEEDED] });
        if (page === 'revoke') {
          await revokeToken(tokens, id, 'revoked');
          audit(actor, 'token_revoked', { userId: owner.id, tokenId: id });
          return { status: 303, location: '/admin/' };
        }
        const issued = await rotateToken(tokens, id);
        if (!issued)
          return tokensAnswer(raw, session, nonce, {
            status: 404,
            errors: ['That token no longer exists.'],
          });
        audit(actor, 'token_rotated', { userId: owner.id, tokenId: id });
        return showKey(raw, session, issued.key, key);
      }
      case 'activate':
      case 'deactivate':
      case 'revoke-all': {
        const user = await target(form.get('id'));
        if (!user)
          return usersAnswer(raw, session, nonce, {
            status: 404,
            errors: ['That user no longer exists.'],
          });
        if (!mayActOn(actor, user))
          return usersAnswer(raw, session, nonce, { status: 403, errors: [SUPERUSER_NEEDED] });
        if (page === 'revoke-all') {
          await revokeUserTokens(tokens, user.id, 'revoked');
        } else {
          await store.updateUser(user.id, { isActive: page === 'activate' });
          // A deactivated staff member's sessions end now, not at their next request.
          if (page === 'deactivate') await adminStore().deleteUserSessions(user.id);
        }
        audit(actor, page.replace('-', '_'), { userId: user.id });
        return { status: 303, location: '/admin/users/' };
      }
      default:
        return { status: 404, body: messagePage(nonce, 'Not found', 'There is no such page.') };
    }
  }

  async function answer(raw: ViewRequest, page: string, nonce: string): Promise<AdminAnswer> {
    if (raw.method === 'GET' || raw.method === 'HEAD') {
      if (page !== '' && page !== 'users')
        return { status: 404, body: messagePage(nonce, 'Not found', 'There is no such page.') };
      const session = await signedIn(raw);
      if (!session)
        return page === '' ? signInForm(raw, nonce) : { status: 303, location: '/admin/' };
      return page === '' ? tokensAnswer(raw, session, nonce) : usersAnswer(raw, session, nonce);
    }
    if (raw.method === 'OPTIONS') return { status: 200 };
    if (raw.method !== 'POST')
      return {
        status: 405,
        body: messagePage(nonce, 'Method not allowed', `${raw.method} is not allowed here.`),
      };
    // A forged post is refused outright (403), never redirected to a sign-in that could follow it.
    if (!originAllowed(raw))
      return forbidden(nonce, 'CSRF verification failed: the request came from another site.');
    const form = await readForm(raw);
    if (page === 'sign-in') return signIn(raw, form, nonce);
    const session = await signedIn(raw);
    const token = form.get('csrfmiddlewaretoken') ?? '';
    if (!session || !sameSecret(token, session.csrfToken)) return forbidden(nonce);
    return act(raw, page, form, session, nonce);
  }

  async function handle(
    raw: ViewRequest,
    handleOptions: HandleOptions = {},
  ): Promise<ViewResponse> {
    const nonce = randomBytes(16).toString('base64');
    const page = handleOptions.params?.page ?? '';
    try {
      return adminResponse(await answer(raw, page, nonce), nonce, raw.method);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) {
        return adminResponse(
          { status: error.status, body: messagePage(nonce, 'Error', String(error.detail)) },
          nonce,
          raw.method,
        );
      }
      handleOptions.reportError?.(error);
      const status = error instanceof ApiError ? error.status : 500;
      return adminResponse(
        {
          status,
          body: messagePage(nonce, 'Server error', 'The admin page could not answer; try again.'),
        },
        nonce,
        raw.method,
      );
    }
  }

  const unsupported = (): never => {
    throw new Error('The admin page answers through handle() only.');
  };
  return {
    options: { name: 'Admin', description: 'Staff manage users and tokens.' },
    allowedMethods: ADMIN_ALLOW.split(', '),
    allow: ADMIN_ALLOW,
    handle,
    check: unsupported,
    renderError: (_error, reportError) => {
      reportError?.(_error);
      return { status: 500, headers: { allow: ADMIN_ALLOW }, body: '' };
    },
  };
}
