import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Authenticator } from '../../../src/core/auth/authenticator.js';
import {
  AllowAny,
  IsAdminUser,
  IsAuthenticated,
  type Permission,
} from '../../../src/core/auth/permissions.js';
import { AuthenticationFailed, ServiceUnavailable, Throttled } from '../../../src/core/errors.js';
import type { ViewRequest } from '../../../src/core/http/request.js';
import { defineView } from '../../../src/core/http/view.js';
import type { User } from '../../../src/core/users/user.js';

const alice: User = {
  id: 7,
  username: 'alice',
  email: '',
  firstName: '',
  lastName: '',
  isStaff: false,
  isSuperuser: false,
  isActive: true,
  lastLogin: null,
  dateJoined: new Date(0),
  isAuthenticated: true,
};

/** Accepts `Authorization: Good`, fails `Authorization: Bad`, ignores anything else. */
function fixedAuthenticator(header?: string): Authenticator {
  return {
    authenticate(request) {
      const value = request.header('authorization');
      if (value === 'Good') return { user: alice, auth: null };
      if (value === 'Bad') throw new AuthenticationFailed('Invalid token.');
      return null;
    },
    ...(header ? { authenticateHeader: () => header } : {}),
  };
}

function request(
  method: string,
  headers: Record<string, string> = {},
  body = '',
  query: Record<string, string> = {},
): ViewRequest & { bodyReads: number } {
  const result = {
    method,
    bodyReads: 0,
    header: (name: string) => headers[name],
    query: (name: string) => query[name],
    readBody: async () => {
      result.bodyReads++;
      return new TextEncoder().encode(body);
    },
    remoteAddress: '127.0.0.1',
  };
  return result;
}

const token = fixedAuthenticator('Token');

describe('defineView: DRF order of checks', () => {
  const postOnly = defineView({
    name: 'Build Trigger',
    authentication: [token],
    permissions: [IsAuthenticated],
    post: () => {},
  });

  test('Allow lists handler methods in DRF order, HEAD after GET, then OPTIONS', () => {
    assert.equal(postOnly.allow, 'POST, OPTIONS');
    const many = defineView({ delete: () => {}, get: () => {}, post: () => {} });
    assert.equal(many.allow, 'GET, POST, DELETE, HEAD, OPTIONS');
  });

  test('no credentials: 401 with WWW-Authenticate and Allow', async () => {
    const response = await postOnly.handle(request('POST'));
    assert.equal(response.status, 401);
    assert.deepEqual(response.headers, {
      allow: 'POST, OPTIONS',
      'www-authenticate': 'Token',
      'content-type': 'application/json',
    });
    assert.equal(response.body, '{"detail":"Authentication credentials were not provided."}');
  });

  test('success: 200, empty body, no Content-Type', async () => {
    const response = await postOnly.handle(request('POST', { authorization: 'Good' }));
    assert.deepEqual(response, { status: 200, headers: { allow: 'POST, OPTIONS' }, body: '' });
  });

  test('405 comes after authentication and permissions', async () => {
    assert.equal((await postOnly.handle(request('GET'))).status, 401);
    assert.equal((await postOnly.handle(request('GET', { authorization: 'Bad' }))).status, 401);
    const response = await postOnly.handle(request('GET', { authorization: 'Good' }));
    assert.equal(response.status, 405);
    assert.equal(response.body, '{"detail":"Method \\"GET\\" not allowed."}');
    assert.equal(response.headers.allow, 'POST, OPTIONS');
    const trace = await postOnly.handle(request('TRACE', { authorization: 'Good' }));
    assert.equal(trace.body, '{"detail":"Method \\"TRACE\\" not allowed."}');
  });

  test('406 comes before authentication', async () => {
    const response = await postOnly.handle(request('POST', { accept: 'text/html' }));
    assert.equal(response.status, 406);
    assert.equal(response.body, '{"detail":"Could not satisfy the request Accept header."}');
  });

  test('authentication is eager: a bad token fails even on AllowAny', async () => {
    const open = defineView({
      authentication: [token],
      permissions: [AllowAny],
      get: () => ({ data: 1 }),
    });
    assert.equal((await open.handle(request('GET', { authorization: 'Bad' }))).status, 401);
    assert.equal((await open.handle(request('GET', { authorization: 'Other' }))).status, 200);
  });

  test('a permission denial is 403 with its message when authenticated', async () => {
    const custom: Permission = {
      hasPermission: () => false,
      message: 'Custom: no',
      code: 'custom',
    };
    const view = defineView({ authentication: [token], permissions: [custom], get: () => {} });
    const denied = await view.handle(request('GET', { authorization: 'Good' }));
    assert.equal(denied.status, 403);
    assert.equal(denied.body, '{"detail":"Custom: no"}');
    // Not authenticated: DRF answers 401 and ignores the permission's message.
    const anonymous = await view.handle(request('GET'));
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body, '{"detail":"Authentication credentials were not provided."}');
  });

  test('IsAdminUser for a non-staff user: 403 with the default text', async () => {
    const view = defineView({ authentication: [token], permissions: [IsAdminUser], get: () => {} });
    const response = await view.handle(request('GET', { authorization: 'Good' }));
    assert.equal(response.status, 403);
    assert.equal(response.body, '{"detail":"You do not have permission to perform this action."}');
  });

  test('no authenticators: a denial is 403 even without credentials', async () => {
    const view = defineView({ permissions: [IsAuthenticated], get: () => {} });
    const response = await view.handle(request('GET'));
    assert.equal(response.status, 403);
    assert.equal(response.body, '{"detail":"You do not have permission to perform this action."}');
  });

  test('a first authenticator without a header turns 401 into 403 (Session first)', async () => {
    const session = fixedAuthenticator();
    const view = defineView({
      authentication: [session, token],
      permissions: [IsAuthenticated],
      get: () => {},
    });
    const missing = await view.handle(request('GET'));
    assert.equal(missing.status, 403);
    assert.equal(missing.headers['www-authenticate'], undefined);
    const bad = await view.handle(request('GET', { authorization: 'Bad' }));
    assert.equal(bad.status, 403);
    assert.equal(bad.body, '{"detail":"Invalid token."}');
  });

  test('HEAD runs the GET handler; OPTIONS answers metadata after the checks', async () => {
    const view = defineView({
      name: 'Things',
      authentication: [token],
      permissions: [IsAuthenticated],
      get: () => ({ data: { ok: true } }),
    });
    const head = await view.handle(request('HEAD', { authorization: 'Good' }));
    assert.equal(head.status, 200);
    assert.equal(head.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal((await view.handle(request('OPTIONS'))).status, 401);
    const options = await view.handle(request('OPTIONS', { authorization: 'Good' }));
    assert.equal(
      options.body,
      '{"name":"Things","description":"","renders":["application/json"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}',
    );
  });

  test('the body is parsed only when the handler asks, once', async () => {
    const seen: unknown[] = [];
    const reading = defineView({
      post: async (r) => {
        seen.push(await r.data(), await r.data());
        return { status: 201, data: { ok: true } };
      },
    });
    const ok = request('POST', { 'content-type': 'application/json' }, '{"a":1}');
    const response = await reading.handle(ok);
    assert.equal(response.status, 201);
    assert.deepEqual(seen, [{ a: 1 }, { a: 1 }]);
    assert.equal(ok.bodyReads, 1);

    const notReading = request(
      'POST',
      { authorization: 'Good', 'content-type': 'text/plain' },
      'x',
    );
    assert.equal((await postOnly.handle(notReading)).status, 200);
    assert.equal(notReading.bodyReads, 0);

    const unsupported = await reading.handle(
      request('POST', { 'content-type': 'text/plain' }, 'x'),
    );
    assert.equal(unsupported.status, 415);
    assert.equal(
      unsupported.body,
      '{"detail":"Unsupported media type \\"text/plain\\" in request."}',
    );
  });

  test('Throttled carries Retry-After; store outages are 503 and reported; bugs are 500', async () => {
    const reported: unknown[] = [];
    const throttled = defineView({
      get: () => {
        throw new Throttled(1.2);
      },
    });
    const slow = await throttled.handle(request('GET'));
    assert.equal(slow.status, 429);
    assert.equal(slow.headers['retry-after'], '2');
    assert.equal(slow.body, '{"detail":"Request was throttled. Expected available in 2 seconds."}');

    const down = defineView({
      get: () => {
        throw new ServiceUnavailable();
      },
    });
    const unavailable = await down.handle(request('GET'), { reportError: (e) => reported.push(e) });
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body, '{"detail":"Service temporarily unavailable."}');

    const broken = defineView({
      get: () => {
        throw new TypeError('bug');
      },
    });
    const failed = await broken.handle(request('GET'), { reportError: (e) => reported.push(e) });
    assert.equal(failed.status, 500);
    assert.equal(failed.body, '{"detail":"A server error occurred."}');
    assert.equal(reported.length, 2);
  });
});

describe('Throttled detail (DRF exceptions.Throttled)', () => {
  test('rounds up and uses the singular for 1', () => {
    assert.equal(
      new Throttled(0.2).message,
      'Request was throttled. Expected available in 1 second.',
    );
    assert.equal(
      new Throttled(1.5).message,
      'Request was throttled. Expected available in 2 seconds.',
    );
    assert.equal(new Throttled().message, 'Request was throttled.');
  });
});
