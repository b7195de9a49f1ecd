/** The cookies of a request's `Cookie` header, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

/** How a cookie of the admin page is set: always HttpOnly and SameSite=Strict. */
export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds it lives; 0 deletes it. Absent: until the browser closes. */
  readonly maxAge?: number;
}

/** A `Set-Cookie` value scoped to `/admin/`: no script reads it and no other site sends it. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/admin/', 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
