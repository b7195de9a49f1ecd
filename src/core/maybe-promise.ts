/**
 * A value, or a promise of it. The request pipeline answers with the value itself when every step
 * had its answer at once (a token cache hit, synchronous permissions, a synchronous handler): each
 * promise costs a trip through the microtask queue, which was a third of a cached request's time.
 * Callers `await` it either way.
 */
export type MaybePromise<T> = T | Promise<T>;

/** True for any promise (another library's too), told apart from an answer such as `{ user }`. */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `next` on `value`: at once when it is a value, once it settles when it is a promise. A
 * throw from `next` is thrown (value) or becomes the rejection (promise), as in an async function.
 */
export function afterValue<T, U>(
  value: T | PromiseLike<T>,
  next: (value: T) => MaybePromise<U>,
): MaybePromise<U> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value);
}
