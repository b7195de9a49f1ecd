import { after, before, describe } from 'node:test';
import { contentNegotiationCases } from './content-negotiation-cases.js';
import { obtainTokenCases } from './obtain-token-cases.js';
import { ParitySession } from './parity-session.js';
import type { ParityTarget } from './parity-target.js';
import { tokenAuthenticationCases } from './token-authentication-cases.js';

/**
 * Registers tessera's DRF parity suite for one target: every observed row of spec sections 1 and 2
 * (and the related rows of 4 and 7), checked over HTTP for exact status, `WWW-Authenticate`,
 * `Allow`, `Content-Type` and body. The app starts once; each test makes its own users.
 * @example
 * runDrfParitySuite({ name: 'fastify + sqlite', start: startReferenceServer });
 */
export function runDrfParitySuite(target: ParityTarget): void {
  describe(`DRF parity: ${target.name}`, () => {
    const session = new ParitySession(target);
    before(() => session.start());
    after(() => session.close());

    tokenAuthenticationCases(session);
    obtainTokenCases(session);
    contentNegotiationCases(session);
  });
}
