import { isLiveDrfToken } from '../tokens/live-drf-token.js';
import type { Permission } from './permissions.js';

/** The 403 detail a live DRF key gets from logout, logoutall and the token API. */
export const LIVE_DRF_KEY_MANAGED_BY_DJANGO =
  "This key is read live from Django's authtoken_token and is managed by Django: rotate or " +
  'delete it there (drf_create_token -r, the Django admin), or import it with ' +
  'tessera tokens import-drf.';

/**
 * Refuses live DRF keys (`drfTokens: 'read'`) with 403: tessera holds no row for them, so it can
 * neither log one out nor rotate it, and deleting Django's row is Django's business (tessera never
 * writes to `authtoken_token` in live mode). Every other request passes.
 */
export const NotLiveDrfKey: Permission = {
  hasPermission: (request) => !isLiveDrfToken(request.auth),
  message: LIVE_DRF_KEY_MANAGED_BY_DJANGO,
  code: 'permission_denied',
};
