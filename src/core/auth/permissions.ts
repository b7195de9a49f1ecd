import type { Request } from '../http/request.js';

/**
 * DRF's permission contract. A denial by the first failing permission becomes 403 with its
 * `message` (or 401 when no authenticator succeeded and the view has authenticators).
 */
export interface Permission {
  hasPermission(request: Request): boolean | Promise<boolean>;
  hasObjectPermission?(request: Request, object: unknown): boolean | Promise<boolean>;
  /** The 403 detail; a function when it depends on the request (DRF sets `self.message`). */
  readonly message?: string | ((request: Request) => string);
  readonly code?: string;
  /** The token scopes this permission requires (`HasScope`); the OpenAPI document lists them. */
  readonly scopes?: readonly string[];
}

/** DRF's `SAFE_METHODS`. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/** Allows every request. */
export const AllowAny: Permission = { hasPermission: () => true };

/** Allows authenticated users; it does not look at `isActive` (DRF parity). */
export const IsAuthenticated: Permission = {
  hasPermission: (request) => request.user.isAuthenticated,
};

/** Allows staff users (`is_staff`, not `is_superuser`). */
export const IsAdminUser: Permission = {
  hasPermission: (request) => request.user.isStaff,
};

/** Allows reads to anyone and writes to authenticated users. */
export const IsAuthenticatedOrReadOnly: Permission = {
  hasPermission: (request) => SAFE_METHODS.includes(request.method) || request.user.isAuthenticated,
};
