import type { ViewRequest } from '../http/request.js';
import { defineView, type HandleOptions, type View } from '../http/view.js';
import type { ViewResponse } from '../http/view-response.js';

/** What a GET of a non-JSON view answers: a status, a media type and a text body. */
export interface RenderedAnswer {
  readonly status?: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A view that answers GET with something other than JSON (a document, a page, a script). */
export interface GetOnlyViewOptions {
  readonly name: string;
  readonly description: string;
  /** The media types GET answers with, which OPTIONS lists under `renders`. */
  readonly renders: readonly string[];
  /** Throws an `ApiError` (404, 406) for a request it cannot answer. */
  readonly render: (
    request: ViewRequest,
    params: Readonly<Record<string, string>>,
  ) => RenderedAnswer;
}

/**
 * A public GET view whose answer is rendered by `render` instead of DRF's JSON renderer; every
 * other method (OPTIONS, 405 with `Allow`) and every error goes through `defineView`, so it
 * answers them as tessera's other views do.
 */
export function getOnlyView(options: GetOnlyViewOptions): View {
  const view = defineView({ name: options.name, description: options.description, get: () => {} });
  // DRF's OPTIONS lists the view's renderers; `defineView`'s are JSON only.
  const withRenders = (response: ViewResponse): ViewResponse => {
    if (response.status !== 200) return response;
    const metadata = JSON.parse(response.body) as Record<string, unknown>;
    return { ...response, body: JSON.stringify({ ...metadata, renders: options.renders }) };
  };
  const handle = async (
    raw: ViewRequest,
    handleOptions: HandleOptions = {},
  ): Promise<ViewResponse> => {
    if (raw.method === 'OPTIONS') return withRenders(await view.handle(raw, handleOptions));
    if (raw.method !== 'GET' && raw.method !== 'HEAD') return view.handle(raw, handleOptions);
    try {
      const answer = options.render(raw, handleOptions.params ?? {});
      return {
        status: answer.status ?? 200,
        headers: { ...answer.headers, allow: view.allow, 'content-type': answer.contentType },
        body: answer.body,
      };
    } catch (error) {
      return view.renderError(error, handleOptions.reportError);
    }
  };
  return { ...view, handle };
}
