import type { Request } from '../http/request.js';
import type { Permission } from './permissions.js';

// Composed permissions carry no `message`, so a denial uses the default 403 text (DRF parity).

type Check = boolean | Promise<boolean>;

function objectCheck(permission: Permission, request: Request, object: unknown): Check {
  return permission.hasObjectPermission ? permission.hasObjectPermission(request, object) : true;
}

/** Short-circuit `a && b`, awaiting only when a check is asynchronous. */
function both(first: () => Check, second: () => Check): Check {
  const a = first();
  if (typeof a === 'boolean') return a ? second() : false;
  return a.then((value) => (value ? second() : false));
}

/** Short-circuit `a || b`, awaiting only when a check is asynchronous. */
function either(first: () => Check, second: () => Check): Check {
  const a = first();
  if (typeof a === 'boolean') return a ? true : second();
  return a.then((value) => (value ? true : second()));
}

function negate(check: Check): Check {
  return typeof check === 'boolean' ? !check : check.then((value) => !value);
}

/** DRF's `A & B`. */
export function and(a: Permission, b: Permission): Permission {
  return {
    hasPermission: (request) =>
      both(
        () => a.hasPermission(request),
        () => b.hasPermission(request),
      ),
    hasObjectPermission: (request, object) =>
      both(
        () => objectCheck(a, request, object),
        () => objectCheck(b, request, object),
      ),
  };
}

/** DRF's `A | B`; the object check pairs each side's two checks (DRF #6402). */
export function or(a: Permission, b: Permission): Permission {
  return {
    hasPermission: (request) =>
      either(
        () => a.hasPermission(request),
        () => b.hasPermission(request),
      ),
    hasObjectPermission: (request, object) =>
      either(
        () =>
          both(
            () => a.hasPermission(request),
            () => objectCheck(a, request, object),
          ),
        () =>
          both(
            () => b.hasPermission(request),
            () => objectCheck(b, request, object),
          ),
      ),
  };
}

/** DRF's `~A`: each check negated separately. */
export function not(a: Permission): Permission {
  return {
    hasPermission: (request) => negate(a.hasPermission(request)),
    hasObjectPermission: (request, object) => negate(objectCheck(a, request, object)),
  };
}
