import type { Authenticator } from '../auth/authenticator.js';
import { IsAuthenticated } from '../auth/permissions.js';
import { defineView, type View } from '../http/view.js';
import { HasScope, TOKENS_SCOPE } from '../tokens/scopes.js';
import {
  revokeToken,
  revokeUserTokens,
  type TokenManagementContext,
} from '../tokens/token-management.js';

/** knox's `LogoutView`: POST deletes the token that made the request; 204. */
export function logoutView(context: TokenManagementContext, authenticator: Authenticator): View {
  return defineView({
    name: 'Logout',
    authentication: [authenticator],
    permissions: [IsAuthenticated],
    post: async (request) => {
      if (request.auth) await revokeToken(context, request.auth.id, 'logout');
      return { status: 204 };
    },
  });
}

/**
 * knox's `LogoutAllView`: POST deletes every token of the user; 204. It needs the `tokens`
 * scope, so a narrow leaked token cannot log its owner out everywhere.
 */
export function logoutAllView(context: TokenManagementContext, authenticator: Authenticator): View {
  return defineView({
    name: 'Logout All',
    authentication: [authenticator],
    permissions: [IsAuthenticated, HasScope(TOKENS_SCOPE)],
    post: async (request) => {
      if (request.user.isAuthenticated) {
        await revokeUserTokens(context, request.user.id, 'logoutall');
      }
      return { status: 204 };
    },
  });
}
