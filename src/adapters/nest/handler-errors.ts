import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiError } from '../../core/errors.js';
import { guardedRequests } from './guard.js';
import { nodeMessage, type PlatformRequest } from './platform.js';

type HandlerResult = ReturnType<CallHandler['handle']>;

/** What a subscriber of Nest's handler result gets told. */
interface ResultObserver {
  next(value: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

type ObservableClass = new (subscribe: (subscriber: ResultObserver) => () => void) => HandlerResult;

/**
 * An error a guarded handler threw that is neither tessera's nor Nest's own (`HttpException`):
 * DRF answers it with its generic 500, which `TesseraExceptionFilter` renders. Only these reach
 * tessera's filter, so the app's own filters keep every other error.
 */
export class HandlerFailure extends Error {
  constructor(readonly failure: unknown) {
    super('tessera: a guarded handler failed');
  }
}

/**
 * Marks what a guarded handler throws, other than tessera's and Nest's own errors, as a
 * `HandlerFailure`, so that every adapter answers it alike: DRF's 500, reported without secrets.
 */
export class TesseraErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): HandlerResult {
    const source = next.handle();
    if (context.getType() !== 'http') return source;
    const request = nodeMessage(context.switchToHttp().getRequest<PlatformRequest>());
    const mark = (error: unknown): unknown =>
      !guardedRequests.has(request) || error instanceof ApiError || error instanceof HttpException
        ? error
        : new HandlerFailure(error);
    // The handler's own Observable class: tessera does not depend on rxjs, which Nest brings.
    const Observable = source.constructor as ObservableClass;
    return new Observable((subscriber) => {
      const subscription = source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error) => subscriber.error(mark(error)),
        complete: () => subscriber.complete(),
      });
      return () => subscription.unsubscribe();
    });
  }
}
// Applied as calls: tessera compiles without `experimentalDecorators`, which NestJS needs.
Injectable()(TesseraErrorInterceptor);
