import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AuthenticationFailed,
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
});
