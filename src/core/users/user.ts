/** A row of Django's `auth_user`, as a handler sees it: never with the password hash. */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  readonly isActive: boolean;
  readonly lastLogin: Date | null;
  readonly dateJoined: Date;
  /** Always true for a stored user, as Django's `User.is_authenticated`. */
  readonly isAuthenticated: true;
}

/** Django's `AnonymousUser`: what `request.user` is when no authenticator succeeded. */
export interface AnonymousUser {
  readonly id: null;
  readonly username: '';
  readonly isStaff: false;
  readonly isSuperuser: false;
  readonly isActive: false;
  readonly isAuthenticated: false;
}

/** The user of a request: a stored user or the anonymous one. */
export type RequestUser = User | AnonymousUser;

/** The one anonymous user. */
export const ANONYMOUS_USER: AnonymousUser = Object.freeze({
  id: null,
  username: '',
  isStaff: false,
  isSuperuser: false,
  isActive: false,
  isAuthenticated: false,
});

/** A user together with its Django password hash, for the few places that check passwords. */
export interface UserWithPassword extends User {
  readonly password: string;
}
