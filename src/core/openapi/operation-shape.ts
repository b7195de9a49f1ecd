/**
 * A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) describing a body, a parameter or a
 * header. Kept open: tessera copies it into the document as written.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One query, path or header parameter of an operation. */
export interface ParameterShape {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly description?: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
  /** The parameter may repeat (`?scope=a&scope=b`); its schema then describes one value. */
  readonly repeated?: boolean;
  readonly example?: unknown;
}

/** One response of an operation: what it means, and the JSON body and headers it carries. */
export interface ResponseShape {
  readonly description: string;
  /** The JSON body; absent for a response without a body (DRF's `Response()`). */
  readonly schema?: JsonSchema;
  readonly example?: unknown;
  readonly headers?: Readonly<
    Record<string, { readonly description: string; readonly schema: JsonSchema }>
  >;
}

/** The body an operation reads, in every media type the view's parsers accept. */
export interface RequestBodyShape {
  readonly schema: JsonSchema;
  readonly example?: unknown;
  /** Default true: a handler reading `request.data()` without a body answers 400. */
  readonly required?: boolean;
  readonly description?: string;
}

/**
 * What one method of a view accepts and answers, for the OpenAPI document. The errors DRF's
 * order of checks gives (401, 403, 405, 406, 415, 429, 503) are added from the view's
 * authentication, permissions and parsers; `responses` adds the handler's own answers, and
 * `null` for a status removes one the view never gives.
 */
export interface OperationShape {
  /** Stable operation id; default drf-spectacular's (`api_tokens_list`, `api_tokens_create`). */
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly ParameterShape[];
  readonly requestBody?: RequestBodyShape;
  readonly responses?: Readonly<Record<number, ResponseShape | null>>;
}
