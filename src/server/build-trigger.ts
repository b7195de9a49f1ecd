import type { Authenticator } from '../core/auth/authenticator.js';
import { IsAuthenticated } from '../core/auth/permissions.js';
import { defineView, type View } from '../core/http/view.js';

/**
 * The seed's BuildTrigger: POST only, token authentication and `IsAuthenticated`, 200 with an
 * empty body. Its handler never reads the body, so a malformed one does not matter (as in DRF).
 */
export function buildTriggerView(tokenAuthentication: Authenticator): View {
  return defineView({
    name: 'Build Trigger',
    authentication: [tokenAuthentication],
    permissions: [IsAuthenticated],
    // DRF's OPTIONS shows the view's description (empty for the seed's view): the operation has its own.
    operations: {
      post: {
        operationId: 'triggerBuild',
        summary: 'Trigger a build',
        description:
          'Starts a build for the requesting token’s user. The body is never read: any body, or ' +
          'none, is accepted. Answers 200 with no body.',
        tags: ['builds'],
        responses: { 200: { description: 'The build is triggered; no body.' } },
      },
    },
    post: () => {},
  });
}
