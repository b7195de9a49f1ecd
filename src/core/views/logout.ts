import type { Authenticator } from '../auth/authenticator.js';
import { NotLiveDrfKey } from '../auth/live-drf-key-permission.js';
import { IsAuthenticated } from '../auth/permissions.js';
import { defineView, type View } from '../http/view.js';
import { HasScope, TOKENS_SCOPE } from '../tokens/scopes.js';
import {
  revokeToken,
  revokeUserTokens,
  type TokenManagementContext,
} from '../tokens/token-management.js';

/**
 * knox's `LogoutView`: POST deletes the token that made the request; 204. A live DRF key
 * (`drfTokens: 'read'`) gets 403: Django, not tessera, holds it.
 */
export function logoutView(context: TokenManagementContext, authenticator: Authenticator): View {
  return defineView({
    name: 'Logout',
    authentication: [authenticator],
    permissions: [IsAuthenticated, NotLiveDrfKey],
    operations: {
      post: {
        operationId: 'logout',
        summary: 'Log out: delete this token',
        description: 'Deletes the token that made the request (knox’s `LogoutView`).',
        tags: ['auth'],
        responses: { 204: { description: 'The token is deleted; no body.' } },
      },
    },
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
    permissions: [IsAuthenticated, NotLiveDrfKey, HasScope(TOKENS_SCOPE)],
    operations: {
      post: {
        operationId: 'logoutAll',
        summary: 'Log out everywhere: delete every token of the user',
        description:
          'Deletes every token of the requesting token’s user (knox’s `LogoutAllView`); it needs ' +
          'the `tokens` scope, so a narrow leaked token cannot log its owner out everywhere.',
        tags: ['auth'],
        responses: { 204: { description: 'Every token of the user is deleted; no body.' } },
      },
    },
    post: async (request) => {
      if (request.user.isAuthenticated) {
        await revokeUserTokens(context, request.user.id, 'logoutall');
      }
      return { status: 204 };
    },
  });
}
