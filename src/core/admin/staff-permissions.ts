import type { User } from '../users/user.js';

/** Who may use the admin page: active staff, as Django's admin site's `has_permission`. */
export function isActiveStaff(user: Pick<User, 'isActive' | 'isStaff'>): boolean {
  return user.isActive && user.isStaff;
}

/**
 * Whether `actor` may act on `target`'s tokens or account: staff act on ordinary users, and a
 * staff member's or superuser's (the actor's own included) needs a superuser, so staff cannot
 * mint a wider key for each other or themselves than a superuser grants.
 */
export function mayActOn(
  actor: Pick<User, 'isSuperuser'>,
  target: Pick<User, 'isStaff' | 'isSuperuser'>,
): boolean {
  return actor.isSuperuser || (!target.isStaff && !target.isSuperuser);
}
