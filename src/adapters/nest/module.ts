import { type DynamicModule, Inject, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import { bodyLimitOf, refuseBareStore } from '../adapter-tessera.js';
import { bodyParserErrorHandler } from './body-parser-errors.js';
import { TesseraExceptionFilter } from './filter.js';
import { TesseraGuard } from './guard.js';
import { TesseraErrorInterceptor } from './handler-errors.js';
import { TESSERA_OPTIONS, type TesseraModuleOptions } from './options.js';
import { viewController } from './view-controller.js';

/**
 * tessera for a NestJS app: the options `TesseraGuard` reads, the core views to mount, and with
 * `globalGuard` the guard on every route. Bound slow clients on `app.getHttpServer()`
 * (docs/frameworks.md, "Use with your framework").
 * @example
 * const tessera = createTessera({ store, settings });
 * @Module({ imports: [TesseraModule.forRoot({ tessera, globalGuard: true,
 *   views: { 'api-token-auth': tessera.views.obtainToken } })] })
 * export class AppModule {}
 */
export class TesseraModule implements OnModuleInit {
  readonly #adapterHost: HttpAdapterHost | undefined;
  readonly #options: TesseraModuleOptions;

  constructor(adapterHost: HttpAdapterHost | undefined, options: TesseraModuleOptions | undefined) {
    this.#adapterHost = adapterHost;
    this.#options = options ?? {};
  }

  static forRoot(options: TesseraModuleOptions = {}): DynamicModule {
    refuseBareStore(options, 'TesseraModule.forRoot');
    const maxBodyBytes = bodyLimitOf(options.maxBodyBytes, options.tessera);
    const globalProviders = options.globalGuard
      ? [
          { provide: APP_GUARD, useExisting: TesseraGuard },
          { provide: APP_FILTER, useExisting: TesseraExceptionFilter },
          { provide: APP_INTERCEPTOR, useExisting: TesseraErrorInterceptor },
        ]
      : [];
    return {
      module: TesseraModule,
      global: true,
      providers: [
        { provide: TESSERA_OPTIONS, useValue: options },
        TesseraGuard,
        TesseraExceptionFilter,
        TesseraErrorInterceptor,
        ...globalProviders,
      ],
      exports: [TESSERA_OPTIONS, TesseraGuard, TesseraExceptionFilter, TesseraErrorInterceptor],
      controllers: Object.entries(options.views ?? {}).map(([path, view]) =>
        viewController(path, view, { maxBodyBytes }),
      ),
    };
  }

  /**
   * On Express, after Nest's default bodyParser and the routes, before Nest's error handler
   * (which `init` adds after this hook): the bodyParser's errors on tessera's paths are answered
   * in DRF's shape, and a client leaving mid-body is no error anywhere. Without the adapter host (tessera resolving another copy of @nestjs/core
   * than the app's, as through `npm link`), Nest's own handling stays.
   */
  onModuleInit(): void {
    const adapter = this.#adapterHost?.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    const paths = Object.keys(this.#options.views ?? {});
    adapter.use(bodyParserErrorHandler(this.#options.globalGuard ? 'all' : paths));
  }
}
// Applied as calls: tessera compiles without `experimentalDecorators`, which NestJS needs.
Module({})(TesseraModule);
Inject(HttpAdapterHost)(TesseraModule, undefined, 0);
Optional()(TesseraModule, undefined, 0);
Inject(TESSERA_OPTIONS)(TesseraModule, undefined, 1);
Optional()(TesseraModule, undefined, 1);
