import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Authenticator } from '../../../src/core/auth/authenticator.js';
import { IsAuthenticated } from '../../../src/core/auth/permissions.js';
import { AuthenticationFailed, NotFound, ValidationError } from '../../../src/core/errors.js';
import { handlerErrorResponse } from '../../../src/core/http/api-error-response.js';
import type { ViewRequest } from '../../../src/core/http/request.js';
import { defineRouteGuard } from '../../../src/core/http/route-guard.js';
import type { User } from '../../../src/core/users/user.js';

const alice: User = {
  id: 1,
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

const token: Authenticator = {
  authenticate(request) {
    const value = request.header('authorization');
    if (value === 'Good') return { user: alice, auth: null };
    if (value === 'Bad') throw new AuthenticationFailed('Invalid token.');
    return null;
  },
  authenticateHeader: () => 'Token',
};

function request(method: string, authorization?: string): ViewRequest & { reads: number } {
  const raw = {
    method,
    reads: 0,
    header: (name: string) => (name === 'authorization' ? authorization : undefined),
    query: () => undefined,
    readBody: async () => {
      raw.reads++;
      return new Uint8Array();
    },
    remoteAddress: undefined,
  };
  return raw;
}

const guard = defineRouteGuard({
  name: 'Things',
  authentication: [token],
  permissions: [IsAuthenticated],
  methods: ['GET', 'POST'],
});

describe('defineRouteGuard: DRF checks for framework-native handlers', () => {
  test('Allow lists the native methods in DRF order, HEAD after GET', () => {
    assert.equal(guard.allow, 'GET, POST, HEAD, OPTIONS');
  });

  test('a native method that passes gives the request, with its user, without reading the body', async () => {
    const raw = request('POST', 'Good');
    const result = await guard.check(raw);
    assert.equal(result.response, undefined);
    assert.equal(result.request?.user.username, 'alice');
    assert.equal(raw.reads, 0);
    assert.equal((await guard.check(request('HEAD', 'Good'))).request?.method, 'HEAD');
  });

  test('a native method that fails gives the rendered 401 with WWW-Authenticate and Allow', async () => {
    const result = await guard.check(request('POST', 'Bad'));
    assert.deepEqual(result.response, {
      status: 401,
      headers: {
        'www-authenticate': 'Token',
        allow: 'GET, POST, HEAD, OPTIONS',
        'content-type': 'application/json',
      },
      body: '{"detail":"Invalid token."}',
    });
  });

  test('other methods: authentication first, then 405; OPTIONS gives the metadata', async () => {
    assert.equal((await guard.check(request('PUT'))).response?.status, 401);
    const put = await guard.check(request('PUT', 'Good'));
    assert.equal(put.response?.status, 405);
    assert.equal(put.response?.body, '{"detail":"Method \\"PUT\\" not allowed."}');
    const options = await guard.check(request('OPTIONS', 'Good'));
    assert.equal(options.response?.status, 200);
    assert.equal(JSON.parse(options.response?.body ?? '{}').name, 'Things');
  });
});

describe('handlerErrorResponse: errors thrown by framework-native handlers', () => {
  test('on a guarded route: ApiErrors as the view renders them, bugs as a reported 500', () => {
    const reported: unknown[] = [];
    const report = (error: unknown) => reported.push(error);
    const invalid = handlerErrorResponse(new ValidationError(['no']), guard, report);
    assert.equal(invalid?.status, 400);
    assert.equal(invalid?.headers.allow, 'GET, POST, HEAD, OPTIONS');
    const bug = handlerErrorResponse(new Error('bug'), guard, report);
    assert.equal(bug?.body, '{"detail":"A server error occurred."}');
    assert.equal(reported.length, 1);
  });

  test("a framework's own 4xx error is left to the framework", () => {
    const frameworkError = Object.assign(new Error('bad json'), { statusCode: 400 });
    assert.equal(
      handlerErrorResponse(frameworkError, guard, () => {}),
      undefined,
    );
    const honoStyle = Object.assign(new Error('teapot'), { status: 418 });
    assert.equal(
      handlerErrorResponse(honoStyle, guard, () => {}),
      undefined,
    );
  });

  test('outside a guard: ApiErrors without Allow, anything else left to the framework', () => {
    const notFound = handlerErrorResponse(new NotFound(), undefined, () => {});
    assert.deepEqual(notFound, {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: '{"detail":"Not found."}',
    });
    assert.equal(
      handlerErrorResponse(new Error('bug'), undefined, () => {}),
      undefined,
    );
  });
});
