import { All, Controller, Req, Res, SetMetadata, type Type } from '@nestjs/common';
import { writeViewResponse } from '../../core/http/node-view-response.js';
import type { View } from '../../core/http/view.js';
import { PUBLIC_METADATA } from './metadata.js';
import {
  nodeResponse,
  type PlatformRequest,
  type PlatformResponse,
  reportToLogger,
  toViewRequest,
} from './platform.js';

/** Options of `viewController`. */
export interface ViewControllerOptions {
  /** Largest body the view reads, in bytes (413 beyond). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/**
 * A controller serving a core view on every method of `path`: the view runs DRF's checks itself
 * (a global `TesseraGuard` leaves it alone), then reads the body through the core's parsers. If
 * Nest's default bodyParser read the body first, the data it parsed is taken as it is; with
 * `{ bodyParser: false }` the view parses it as DRF does, after authentication.
 * @example
 * @Module({ controllers: [viewController('api-token-auth', tessera.views.obtainToken)] })
 */
export function viewController(
  path: string,
  view: View,
  options: ViewControllerOptions = {},
): Type<unknown> {
  class TesseraViewController {
    async handle(request: PlatformRequest, response: PlatformResponse): Promise<void> {
      const answer = await view.handle(toViewRequest(request, options.maxBodyBytes), {
        params: request.params ?? {},
        reportError: reportToLogger,
      });
      writeViewResponse(nodeResponse(response), answer);
    }
  }
  const prototype = TesseraViewController.prototype;
  Controller(path)(TesseraViewController);
  SetMetadata(PUBLIC_METADATA, true)(TesseraViewController);
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'handle') as PropertyDescriptor;
  All()(prototype, 'handle', descriptor);
  Req()(prototype, 'handle', 0);
  Res()(prototype, 'handle', 1);
  return TesseraViewController;
}
