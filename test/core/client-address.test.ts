import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientAddress, clientAddressResolver } from '../../src/core/client-address.js';
import { fakeViewRequest } from './throttling/throttle-fixtures.js';

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

  test('refuses a negative or fractional count', () => {
    assert.throws(() => clientAddressResolver({ numProxies: -1 }), RangeError);
    assert.throws(() => clientAddressResolver({ numProxies: 1.5 }), RangeError);
  });
});
