import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { types } from 'node:util';
import {
  ApiError,
  AuthenticationFailed,
  freshCopy,
  NotFound,
  ServiceUnavailable,
  Throttled,
} from '../../src/core/errors.js';

describe('API errors', () => {
  test('a 4xx captures no stack trace, and leaves the process limit as it was', () => {
    const before = Error.stackTraceLimit;
    for (const error of [
      new AuthenticationFailed('Invalid token.'),
      new NotFound(),
      new Throttled(3),
    ]) {
      assert.ok(error instanceof Error);
      assert.equal(error.stack, `${error.name}: ${error.message}`);
    }
    assert.equal(Error.stackTraceLimit, before);
    assert.match(new Error('ordinary').stack ?? '', /\n\s+at /);
  });

  test('a 5xx keeps its stack trace for the error log', () => {
    const error = new ServiceUnavailable();
    assert.equal(error.status, 503);
    assert.match(
      error.stack ?? '',
      /^ServiceUnavailable: Service temporarily unavailable\.\n\s+at /,
    );
  });

  test('a fresh copy reads as the error it copies, and keeps what is set on it', () => {
    const template = new AuthenticationFailed('Invalid token.');
    const constructed = new AuthenticationFailed('Invalid token.');
    const copy = freshCopy(template);
    for (const type of [AuthenticationFailed, ApiError, Error]) assert.ok(copy instanceof type);
    for (const field of ['status', 'code', 'detail', 'name', 'message', 'stack'] as const) {
      assert.equal(copy[field], constructed[field], field);
    }
    assert.deepEqual(Object.keys(copy), Object.keys(constructed));
    assert.equal(JSON.stringify(copy), JSON.stringify(constructed));
    assert.equal(String(copy), String(constructed));
    const other = freshCopy(template);
    assert.notEqual(copy, other);
    (copy as { status: number }).status = 499;
    (copy as { requestId?: string }).requestId = 'r1';
    assert.equal(other.status, 401);
    assert.equal(template.status, 401);
    assert.equal((template as { requestId?: string }).requestId, undefined);
    // The one difference: it was not made by the Error constructor.
    assert.equal(types.isNativeError(copy), false);
  });
});
