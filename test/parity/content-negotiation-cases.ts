import { describe, test } from 'node:test';
import { DRF_BODIES } from './drf-bodies.js';
import {
  assertEmptyResponse,
  assertJsonResponse,
  assertObtainedToken,
} from './parity-assertions.js';
import type { ParitySession } from './parity-session.js';

/** DRF's content negotiation (sections 2 and 4): JSON only, and it runs before authentication. */
export function contentNegotiationCases(session: ParitySession): void {
  describe('content negotiation (JSONRenderer only)', () => {
    test('obtain-token with "Accept: text/html" → 406 "Could not satisfy the request Accept header."', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson(user, { headers: { Accept: 'text/html' } });
      assertJsonResponse(res, 406, DRF_BODIES.notAcceptable);
    });

    test('obtain-token with "Accept: application/json; q=0" is still served → 200', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson(user, {
        headers: { Accept: 'application/json; q=0' },
      });
      assertObtainedToken(res);
    });

    test('obtain-token with "Accept: */*" → 200', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson(user, { headers: { Accept: '*/*' } });
      assertObtainedToken(res);
    });

    test('obtain-token with "?format=json" → 200', async () => {
      const user = await session.newUser();
      assertObtainedToken(await session.obtainTokenWithJson(user, { query: '?format=json' }));
    });

    test('obtain-token with "?format=xml" → 404 "Not found."', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson(user, { query: '?format=xml' });
      assertJsonResponse(res, 404, DRF_BODIES.notFound);
    });

    test('build-trigger with a valid token and "?format=json" → 200', async () => {
      const key = await session.newKey();
      assertEmptyResponse(
        await session.buildTrigger(`Token ${key}`, { query: '?format=json' }),
        200,
      );
    });

    test('build-trigger without credentials and "?format=xml" → 404 (negotiation precedes authentication)', async () => {
      const res = await session.buildTrigger(undefined, { query: '?format=xml' });
      assertJsonResponse(res, 404, DRF_BODIES.notFound);
    });
  });
}
