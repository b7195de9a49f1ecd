import { type BodyParserName, PARSER_MEDIA_TYPES } from '../drf-compat/parse-body.js';

/** One field as DRF's `SimpleMetadata` describes a serializer field. */
export interface FieldMetadata {
  readonly type: string;
  readonly required: boolean;
  readonly read_only: boolean;
  readonly label: string;
}

/** What OPTIONS describes of a view. */
export interface ViewDescription {
  /** DRF's view name, e.g. `Build Trigger`; `View` when not given. */
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  /** The methods the view answers, upper-case (its `Allow` list). */
  readonly allowedMethods: readonly string[];
  /** The view's body parsers, in DRF's `parser_classes` order. */
  readonly parsers: readonly BodyParserName[];
  /** Serializer fields, listed under `actions` for POST and PUT when the view answers them. */
  readonly fields?: Readonly<Record<string, FieldMetadata>> | undefined;
}

/**
 * The body of an OPTIONS answer, as DRF's `SimpleMetadata`: name, description, what the view
 * renders and parses, and (for views with fields) what POST and PUT accept.
 */
export function viewMetadata(view: ViewDescription): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    name: view.name ?? 'View',
    description: view.description ?? '',
    // tessera renders JSON only: there is no browsable HTML API.
    renders: ['application/json'],
    parses: view.parsers.map((parser) => PARSER_MEDIA_TYPES[parser]),
  };
  if (view.fields) {
    const actions: Record<string, unknown> = {};
    for (const method of ['PUT', 'POST']) {
      if (view.allowedMethods.includes(method)) actions[method] = view.fields;
    }
    metadata.actions = actions;
  }
  return metadata;
}
