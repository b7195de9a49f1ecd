import type { Authenticator } from '../../../src/core/auth/authenticator.js';
import type { Request, ViewRequest } from '../../../src/core/http/request.js';
import type { View } from '../../../src/core/http/view.js';
import type { ViewResponse } from '../../../src/core/http/view-response.js';
import { ANONYMOUS_USER, type User } from '../../../src/core/users/user.js';

/** A stored user with id `id` (DRF's `User.objects.create(username=…)`). */
export function userWithId(id: number, username = `user${id}`): User {
  return {
    id,
    username,
    email: '',
    firstName: '',
    lastName: '',
    isStaff: false,
    isSuperuser: false,
    isActive: true,
    lastLogin: null,
    dateJoined: new Date(0),
    isAuthenticated: true,
  };
}

/** Authenticates `X-User: <id>` as that user; without the header the request is anonymous. */
export const headerUserAuthenticator: Authenticator = {
  authenticate(request) {
    const id = request.header('x-user');
    return id === undefined ? null : { user: userWithId(Number(id)), auth: null };
  },
};

/** What a test request carries: DRF's REMOTE_ADDR and HTTP_* headers. */
export interface FakeRequestInit {
  readonly method?: string;
  readonly remoteAddress?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A core request with no body, as DRF's `APIRequestFactory().get('/')`. */
export function fakeViewRequest(init: FakeRequestInit = {}): ViewRequest {
  const headers = init.headers ?? {};
  return {
    method: init.method ?? 'GET',
    header: (name) => headers[name],
    query: () => undefined,
    readBody: async () => new Uint8Array(),
    remoteAddress: init.remoteAddress,
  };
}

/** An authenticated request (DRF's `Request` after `force_authenticate`) for unit tests. */
export function fakeRequest(init: FakeRequestInit & { readonly user?: User } = {}): Request {
  return {
    method: init.method ?? 'GET',
    user: init.user ?? ANONYMOUS_USER,
    auth: null,
    params: {},
    raw: fakeViewRequest(init),
    data: async () => ({}),
  };
}

/** Calls a view the way an adapter does. */
export async function call(view: View, init: FakeRequestInit = {}): Promise<ViewResponse> {
  return await view.handle(fakeViewRequest(init));
}
