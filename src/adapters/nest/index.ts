// tessera for NestJS: `TesseraModule.forRoot({ tessera })`, `TesseraGuard` (per controller
// through the decorators, or global), its exception filter, and the decorators.

export type { TesseraRequestState } from '../request-state.js';
export {
  Authentication,
  Permissions,
  Public,
  TesseraAuth,
  TesseraUser,
} from './decorators.js';
export { isTesseraException, TesseraExceptionFilter } from './filter.js';
export { type AuthenticatorReference, TesseraGuard } from './guard.js';
export { HandlerFailure, TesseraErrorInterceptor } from './handler-errors.js';
export { TesseraModule } from './module.js';
export { TESSERA_OPTIONS, type TesseraModuleOptions } from './options.js';
export type { TesseraRequest } from './platform.js';
export { type ViewControllerOptions, viewController } from './view-controller.js';
