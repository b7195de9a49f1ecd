import type { BodyParserName } from '../drf-compat/parse-body.js';
import type { ViewOptions } from './view.js';

/** One field as DRF's `SimpleMetadata` describes a serializer field. */
export interface FieldMetadata {
  readonly type: string;
  readonly required: boolean;
  readonly read_only: boolean;
  readonly label: string;
}

const PARSER_MEDIA_TYPES: Readonly<Record<BodyParserName, string>> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
};

/**
 * The body of an OPTIONS answer, as DRF's `SimpleMetadata`: name, description, what the view
 * renders and parses, and (for views with fields) what POST and PUT accept.
 */
export function viewMetadata(
  options: ViewOptions,
  parsers: readonly BodyParserName[],
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    name: options.name ?? 'View',
    description: options.description ?? '',
    // tessera renders JSON only: there is no browsable HTML API.
    renders: ['application/json'],
    parses: parsers.map((parser) => PARSER_MEDIA_TYPES[parser]),
  };
  if (options.fields) {
    const actions: Record<string, unknown> = {};
    for (const method of ['put', 'post'] as const) {
      if (options[method]) actions[method.toUpperCase()] = options.fields;
    }
    metadata.actions = actions;
  }
  return metadata;
}
