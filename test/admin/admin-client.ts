/** A cookie-keeping HTTP client for the admin page that never follows redirects. */
export class AdminClient {
  readonly cookies = new Map<string, string>();
  /** The last response's `Set-Cookie` lines, as sent. */
  lastSetCookie: string[] = [];

  constructor(
    readonly base: string,
    readonly origin: string | null = new URL(base).origin,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(
    path: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      if (this.origin !== null && !('origin' in headers)) headers.origin = this.origin;
    }
    const response = await fetch(new URL(path, this.base), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.lastSetCookie = response.headers.getSetCookie();
    for (const line of this.lastSetCookie) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** The CSRF token of the last page's forms. */
  static csrf(page: string): string {
    const match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(page);
    if (!match?.[1]) throw new Error('no CSRF token on the page');
    return match[1];
  }

  /** Signs in through the form; returns the sign-in post's status. */
  async signIn(
    username: string,
    password: string,
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const page = await this.request('/admin/');
    const csrf = AdminClient.csrf(page.text);
    return this.request('/admin/sign-in/', {
      form: { csrfmiddlewaretoken: csrf, username, password },
    });
  }
}

/** The key a page shows in `data-testid="new-key"`, or null. */
export function newKeyOn(page: string): string | null {
  return /data-testid="new-key">([^<]+)</.exec(page)?.[1] ?? null;
}
