import { timingSafeEqual } from 'node:crypto';

/**
 * Django's `constant_time_compare` on two stored-hash strings: the time taken does not depend on
 * where they first differ. The length of a stored hash is no secret (and `timingSafeEqual`
 * needs equal lengths), so unequal lengths answer at once.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
