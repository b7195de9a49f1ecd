import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
} from '@nestjs/common';
import { handlerErrorResponse } from '../../core/http/api-error-response.js';
import { writeViewResponse } from '../../core/http/node-view-response.js';
import type { ViewResponse } from '../../core/http/view-response.js';
import { GuardAnswer, guardedRequests } from './guard.js';
import {
  nodeMessage,
  nodeResponse,
  type PlatformRequest,
  type PlatformResponse,
  reportToLogger,
} from './platform.js';

// Where Nest's own exception handler reports the errors it answers 500 for.
const nestExceptionsLogger = new Logger('ExceptionsHandler');

/**
 * Nest's own answer (its `BaseExceptionFilter`'s body) to an error that is not tessera's to
 * render: an `HttpException` of a route the guard let through, anything on an unguarded route.
 */
function nestAnswer(exception: unknown): ViewResponse {
  let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
  let body: unknown = { statusCode: status, message: 'Internal server error' };
  if (exception instanceof HttpException) {
    status = exception.getStatus();
    const response = exception.getResponse();
    body = typeof response === 'object' ? response : { statusCode: status, message: response };
  } else {
    nestExceptionsLogger.error(exception);
  }
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

/**
 * Renders what `TesseraGuard` decided, and whatever a guarded handler throws, in DRF's shape
 * with DRF's exact `Content-Type`, `Allow` and `WWW-Authenticate`: an `ApiError` as DRF renders
 * it, any other error as DRF's 500 (`{"detail":"A server error occurred."}`, reported to Nest's
 * logger), as every adapter answers. Nest's own `HttpException`s (4xx) keep Nest's answer.
 */
export class TesseraExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = nodeMessage(http.getRequest<PlatformRequest>());
    const answer =
      exception instanceof GuardAnswer
        ? exception.response
        : (handlerErrorResponse(exception, guardedRequests.get(request), reportToLogger) ??
          nestAnswer(exception));
    writeViewResponse(nodeResponse(http.getResponse<PlatformResponse>()), answer);
  }
}
// Applied as calls: tessera compiles without `experimentalDecorators`, which NestJS needs.
Injectable()(TesseraExceptionFilter);
// Every exception: a handler's ordinary Error must not fall through to Nest's own 500 body.
Catch()(TesseraExceptionFilter);
