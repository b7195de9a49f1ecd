import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { and, not, or } from '../../../src/core/auth/permission-composition.js';
import {
  AllowAny,
  IsAdminUser,
  IsAuthenticated,
  IsAuthenticatedOrReadOnly,
  type Permission,
} from '../../../src/core/auth/permissions.js';
import type { Request } from '../../../src/core/http/request.js';
import { ANONYMOUS_USER, type User } from '../../../src/core/users/user.js';

const john: User = {
  id: 1,
  username: 'john',
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

function request(user: Request['user'], method = 'GET'): Request {
  return {
    method,
    user,
    auth: null,
    params: {},
    raw: {} as Request['raw'],
    data: async () => ({}),
  };
}

const anonymous = request(ANONYMOUS_USER);
const johnRequest = request(john);

// DRF's PermissionsCompositionTests.
describe('permission composition (DRF tests/test_permissions.py)', () => {
  test('and: anonymous false, john true', () => {
    assert.equal(and(IsAuthenticated, AllowAny).hasPermission(anonymous), false);
    assert.equal(and(IsAuthenticated, AllowAny).hasPermission(johnRequest), true);
  });

  test('or: true for both', () => {
    assert.equal(or(IsAuthenticated, AllowAny).hasPermission(anonymous), true);
    assert.equal(or(IsAuthenticated, AllowAny).hasPermission(johnRequest), true);
  });

  test('not', () => {
    assert.equal(not(IsAuthenticated).hasPermission(anonymous), true);
    assert.equal(not(AllowAny).hasPermission(johnRequest), false);
  });

  test('several levels and precedence', () => {
    const four = and(and(and(IsAuthenticated, IsAuthenticated), IsAuthenticated), IsAuthenticated);
    assert.equal(four.hasPermission(johnRequest), true);
    // IsAuth & ~IsAdmin & IsAuth & ~(IsAdmin & IsAdmin)
    const negated = and(
      and(and(IsAuthenticated, not(IsAdminUser)), IsAuthenticated),
      not(and(IsAdminUser, IsAdminUser)),
    );
    assert.equal(negated.hasPermission(johnRequest), true);
    // IsAuth & IsAuth | IsAuth & IsAuth
    const mixed = or(and(IsAuthenticated, IsAuthenticated), and(IsAuthenticated, IsAuthenticated));
    assert.equal(mixed.hasPermission(johnRequest), true);
  });

  function counting(result: boolean, objectResult = true) {
    const calls = { has: 0, object: 0 };
    const permission: Permission = {
      hasPermission: () => {
        calls.has++;
        return result;
      },
      hasObjectPermission: () => {
        calls.object++;
        return objectResult;
      },
    };
    return { permission, calls };
  }

  test('or laziness', () => {
    const right = counting(false);
    assert.equal(or(AllowAny, right.permission).hasPermission(anonymous), true);
    assert.equal(right.calls.has, 0);
    const left = counting(false);
    const allow = counting(true);
    assert.equal(or(left.permission, allow.permission).hasPermission(anonymous), true);
    assert.deepEqual([left.calls.has, allow.calls.has], [1, 1]);
  });

  test('object or laziness (DRF #6402)', () => {
    const right = counting(false);
    assert.equal(or(AllowAny, right.permission).hasObjectPermission?.(anonymous, {}), true);
    assert.equal(right.calls.object, 0);
    // The left side's has_permission is false, so its object check is skipped.
    const left = counting(false);
    assert.equal(or(left.permission, AllowAny).hasObjectPermission?.(anonymous, {}), true);
    assert.equal(left.calls.object, 0);
    assert.equal(left.calls.has, 1);
  });

  test('and laziness', () => {
    const right = counting(false);
    assert.equal(and(AllowAny, right.permission).hasPermission(anonymous), false);
    assert.equal(right.calls.has, 1);
    const left = counting(false);
    const after = counting(true);
    assert.equal(and(left.permission, after.permission).hasPermission(anonymous), false);
    assert.equal(after.calls.has, 0);
  });

  test('object and laziness', () => {
    const left = counting(true, false);
    const right = counting(true);
    assert.equal(
      and(left.permission, right.permission).hasObjectPermission?.(anonymous, {}),
      false,
    );
    assert.equal(right.calls.object, 0);
  });

  test('an unimplemented object check counts as allowed, but or still needs has_permission', () => {
    const ownerOnly: Permission = { hasPermission: (r) => r.user.isAuthenticated };
    assert.equal(or(ownerOnly, IsAdminUser).hasObjectPermission?.(anonymous, {}), false);
  });

  test('asynchronous permissions compose too', async () => {
    const later: Permission = { hasPermission: async () => true };
    assert.equal(await and(later, IsAuthenticated).hasPermission(johnRequest), true);
    assert.equal(await and(later, IsAuthenticated).hasPermission(anonymous), false);
    assert.equal(await not(later).hasPermission(anonymous), false);
  });

  test('composed permissions carry no message', () => {
    assert.equal(and(AllowAny, AllowAny).message, undefined);
  });
});

describe('built-in permissions', () => {
  test('IsAdminUser looks at is_staff only', () => {
    assert.equal(IsAdminUser.hasPermission(johnRequest), false);
    assert.equal(IsAdminUser.hasPermission(request({ ...john, isStaff: true })), true);
    assert.equal(IsAdminUser.hasPermission(request({ ...john, isSuperuser: true })), false);
  });

  test('IsAuthenticated does not look at is_active', () => {
    assert.equal(IsAuthenticated.hasPermission(request({ ...john, isActive: false })), true);
  });

  test('IsAuthenticatedOrReadOnly lets anonymous users read only', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      assert.equal(IsAuthenticatedOrReadOnly.hasPermission(request(ANONYMOUS_USER, method)), true);
    }
    assert.equal(IsAuthenticatedOrReadOnly.hasPermission(request(ANONYMOUS_USER, 'POST')), false);
    assert.equal(IsAuthenticatedOrReadOnly.hasPermission(request(john, 'POST')), true);
  });
});
