// Keys of the metadata tessera's decorators write and `TesseraGuard` reads.
export const AUTHENTICATION_METADATA = 'tessera:authentication';
export const PERMISSIONS_METADATA = 'tessera:permissions';
export const PUBLIC_METADATA = 'tessera:public';

/** The handler's own metadata, else its controller's (DRF: a method overrides its view). */
export function metadata<T>(key: string, handler: object, controller: object): T | undefined {
  return (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as
    | T
    | undefined;
}
