import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clientAddress,
  clientAddressResolver,
  forwardedClient,
} from '../../../src/core/auth/client-address.js';
import { fakeViewRequest } from '../throttling/throttle-fixtures.js';

const XFF = '0.0.0.0, 1.1.1.1, 2.2.2.2';

describe('clientAddress (DRF get_ident with NUM_PROXIES)', () => {
  test('N proxies: the N-th entry from the right, stripped', () => {
    assert.equal(clientAddress('3.3.3.3', XFF, 1), '2.2.2.2');
    assert.equal(clientAddress('3.3.3.3', XFF, 2), '1.1.1.1');
    assert.equal(clientAddress('3.3.3.3', XFF, 3), '0.0.0.0');
  });

  test('more proxies than entries: the first entry (DRF: -min(N, len))', () => {
    assert.equal(clientAddress('3.3.3.3', XFF, 10), '0.0.0.0');
    assert.equal(clientAddress('3.3.3.3', ' 9.9.9.9 ', 2), '9.9.9.9');
  });

  test('0 or null proxies, or no header: the peer address', () => {
    assert.equal(clientAddress('3.3.3.3', XFF, 0), '3.3.3.3');
    assert.equal(clientAddress('3.3.3.3', XFF, null), '3.3.3.3');
    assert.equal(clientAddress('3.3.3.3', undefined, 2), '3.3.3.3');
    assert.equal(clientAddress(undefined, undefined, 2), undefined);
  });
});

describe('forwardedClient: only an IP literal is trusted', () => {
  test('IPv4 and IPv6, trimmed, IPv6 with or without brackets', () => {
    assert.equal(forwardedClient(' 203.0.113.9 ', 1), '203.0.113.9');
    assert.equal(forwardedClient('2001:db8::1', 1), '2001:db8::1');
    assert.equal(forwardedClient('1.1.1.1, [2001:db8::1]', 1), '2001:db8::1');
    assert.equal(forwardedClient('::ffff:192.0.2.1', 1), '::ffff:192.0.2.1');
  });

  test('anything else is not: names, ports, empty entries, huge values, long zone ids', () => {
    for (const entry of [
      'unknown',
      'example.com',
      '203.0.113.9:443',
      '[2001:db8::1]:443',
      '',
      '01.2.3.4',
      `fe80::1%${'a'.repeat(100)}`,
      'x'.repeat(15_000),
      '203.0.113.9 203.0.113.10',
    ]) {
      assert.equal(forwardedClient(`1.1.1.1, ${entry}`, 1), null, entry.slice(0, 40));
    }
  });

  test('clientAddress falls back to the peer address for an untrusted entry', () => {
    assert.equal(clientAddress('3.3.3.3', `${'x'.repeat(15_000)}, 2.2.2.2`, 2), '3.3.3.3');
    assert.equal(clientAddress(undefined, 'junk', 1), undefined);
  });
});

describe('clientAddressResolver', () => {
  test('reads the peer and the x-forwarded-for header of a request', () => {
    const resolve = clientAddressResolver({ numProxies: 1 });
    const request = fakeViewRequest({
      remoteAddress: '3.3.3.3',
      headers: { 'x-forwarded-for': XFF },
    });
    assert.equal(resolve(request), '2.2.2.2');
  });

  test('without numProxies it warns once, the first time it ignores the header', () => {
    let warnings = 0;
    const resolve = clientAddressResolver({ onIgnoredForwardedFor: () => warnings++ });
    assert.equal(resolve(fakeViewRequest({ remoteAddress: '3.3.3.3' })), '3.3.3.3');
    assert.equal(warnings, 0);
    const forwarded = fakeViewRequest({
      remoteAddress: '3.3.3.3',
      headers: { 'x-forwarded-for': XFF },
    });
    assert.equal(resolve(forwarded), '3.3.3.3');
    assert.equal(resolve(forwarded), '3.3.3.3');
    assert.equal(warnings, 1);
  });

  test('an explicit 0 trusts no proxy and does not warn', () => {
    let warnings = 0;
    const resolve = clientAddressResolver({
      numProxies: 0,
      onIgnoredForwardedFor: () => warnings++,
    });
    resolve(fakeViewRequest({ remoteAddress: '3.3.3.3', headers: { 'x-forwarded-for': XFF } }));
    assert.equal(warnings, 0);
  });

  test('with numProxies, it warns once, the first time the entry is no IP address', () => {
    let untrusted = 0;
    const resolve = clientAddressResolver({
      numProxies: 1,
      onUntrustedForwardedFor: () => untrusted++,
    });
    const request = (forwardedFor: string) =>
      fakeViewRequest({ remoteAddress: '3.3.3.3', headers: { 'x-forwarded-for': forwardedFor } });
    assert.equal(resolve(request('2.2.2.2')), '2.2.2.2');
    assert.equal(untrusted, 0);
    assert.equal(resolve(request('not-an-ip')), '3.3.3.3');
    assert.equal(resolve(request('x'.repeat(15_000))), '3.3.3.3');
    assert.equal(untrusted, 1);
  });

  test('refuses a negative or fractional count', () => {
    assert.throws(() => clientAddressResolver({ numProxies: -1 }), RangeError);
    assert.throws(() => clientAddressResolver({ numProxies: 1.5 }), RangeError);
  });
});
