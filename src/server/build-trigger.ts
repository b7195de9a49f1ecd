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
    post: () => {},
  });
}
