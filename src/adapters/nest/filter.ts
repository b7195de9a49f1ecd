import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable } from '@nestjs/common';
import { ApiError, ServerError } from '../../core/errors.js';
import { apiErrorResponse, handlerErrorResponse } from '../../core/http/api-error-response.js';
import { writeViewResponse } from '../../core/http/node-view-response.js';
import { GuardAnswer, guardedRequests } from './guard.js';
import {
  nodeMessage,
  nodeResponse,
  type PlatformRequest,
  type PlatformResponse,
  reportToLogger,
} from './platform.js';

/**
 * Renders what `TesseraGuard` decided, and `ApiError`s thrown by handlers, in DRF's shape with
 * DRF's exact `Content-Type`, `Allow` and `WWW-Authenticate`.
 */
export class TesseraExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = nodeMessage(http.getRequest<PlatformRequest>());
    // `@Catch` lets only ApiErrors through besides guard answers, and those always render.
    const answer =
      exception instanceof GuardAnswer
        ? exception.response
        : (handlerErrorResponse(exception, guardedRequests.get(request), reportToLogger) ??
          apiErrorResponse(new ServerError()));
    writeViewResponse(nodeResponse(http.getResponse<PlatformResponse>()), answer);
  }
}
// Applied as calls: tessera compiles without `experimentalDecorators`, which NestJS needs.
Injectable()(TesseraExceptionFilter);
Catch(ApiError, GuardAnswer)(TesseraExceptionFilter);
