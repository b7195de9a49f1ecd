import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable } from '@nestjs/common';
import { ApiError, ServerError } from '../../core/errors.js';
import { apiErrorResponse, handlerErrorResponse } from '../../core/http/api-error-response.js';
import { writeViewResponse } from '../../core/http/node-view-response.js';
import { GuardAnswer, guardedRequests } from './guard.js';
import { HandlerFailure } from './handler-errors.js';
import {
  nodeMessage,
  nodeResponse,
  type PlatformRequest,
  type PlatformResponse,
  reportToLogger,
} from './platform.js';

/**
 * Renders what `TesseraGuard` decided, `ApiError`s thrown by handlers, and a guarded handler's
 * other failures (`HandlerFailure`, from `TesseraErrorInterceptor`) in DRF's shape with DRF's
 * exact `Content-Type`, `Allow` and `WWW-Authenticate`: a handler's ordinary `Error` is DRF's
 * `500 {"detail":"A server error occurred."}`, reported to Nest's logger, as on every adapter.
 * Nest's own `HttpException`s and errors elsewhere stay with the app's filters.
 */
export class TesseraExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = nodeMessage(http.getRequest<PlatformRequest>());
    const error = exception instanceof HandlerFailure ? exception.failure : exception;
    // `@Catch` lets only these three through, and they always render.
    const answer =
      exception instanceof GuardAnswer
        ? exception.response
        : (handlerErrorResponse(error, guardedRequests.get(request), reportToLogger) ??
          apiErrorResponse(new ServerError()));
    writeViewResponse(nodeResponse(http.getResponse<PlatformResponse>()), answer);
  }
}
// Applied as calls: tessera compiles without `experimentalDecorators`, which NestJS needs.
Injectable()(TesseraExceptionFilter);

/**
 * True for what `TesseraExceptionFilter` renders (the guard's answers, `ApiError`s, a guarded
 * handler's failures). Nest runs an app's own global filters before a module's `APP_FILTER`, so
 * an app's catch-all filter, under `globalGuard`, hands these on.
 * @example
 * catch(exception: unknown, host: ArgumentsHost) {
 *   if (isTesseraException(exception)) new TesseraExceptionFilter().catch(exception, host);
 *   else // …the app's own answer
 * }
 */
export function isTesseraException(exception: unknown): boolean {
  return (
    exception instanceof GuardAnswer ||
    exception instanceof ApiError ||
    exception instanceof HandlerFailure
  );
}
Catch(ApiError, GuardAnswer, HandlerFailure)(TesseraExceptionFilter);
