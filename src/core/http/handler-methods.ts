/**
 * The methods a view can declare a handler for, in DRF's `http_method_names` order (the order
 * the `Allow` header lists them in); HEAD follows GET and OPTIONS is always answered.
 */
export const HANDLER_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A method a view can declare a handler for, lower-case as a DRF view's method names. */
export type HandlerMethod = (typeof HANDLER_METHODS)[number];
