import type { ValidationError } from '../errors.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

/** The create form's "Expires in": empty for never, else seconds or `30m`, `12h`, `30d`, `2w`. */
export function parseExpiresIn(text: string): { seconds: number | null } | { error: string } {
  const value = text.trim().toLowerCase();
  if (value === '') return { seconds: null };
  const match = /^(\d{1,9})\s*([smhdw]?)$/.exec(value);
  if (!match)
    return {
      error: 'Expires in: enter a number of seconds, or a number followed by m, h, d or w.',
    };
  return { seconds: Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1) };
}

/** The create form's "Scopes": names separated by spaces or commas; empty means `*`. */
export function parseScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter((scope) => scope !== '');
}

/** A `ValidationError`'s messages as the page lists them, each after its field's label. */
export function validationMessages(error: ValidationError): string[] {
  const detail = error.detail as Record<string, string[]> | string[];
  if (Array.isArray(detail)) return detail;
  const label = (field: string) =>
    field === 'expires_in' ? 'Expires in' : `${field[0]?.toUpperCase() ?? ''}${field.slice(1)}`;
  return Object.entries(detail).flatMap(([field, messages]) =>
    messages.map((message) => `${label(field)}: ${message}`),
  );
}
