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
