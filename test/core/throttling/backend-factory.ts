import type { ThrottleBackend } from '../../../src/core/throttling/throttle-backend.js';

/** Opens empty throttle backends of one kind, each isolated from the others (DRF's cache.clear()). */
export interface BackendFactory {
  readonly name: string;
  open(): Promise<ThrottleBackend>;
}
