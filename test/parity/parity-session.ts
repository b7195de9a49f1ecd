import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FormField } from './form-bodies.js';
import type { ParityApp, ParityTarget, ParityUser } from './parity-target.js';
import { type RawRequest, type RawResponse, sendRaw } from './raw-http-client.js';

export const BUILD_TRIGGER_PATH = '/api/build-trigger/';
export const OBTAIN_TOKEN_PATH = '/api-token-auth/';

/** Extra parts of a request to one of the two views. */
export interface ViewRequestOptions {
  readonly method?: string;
  /** Appended to the view's path, e.g. `?format=json`. */
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Uint8Array;
}

/** A user the session created, with the password it was given. */
export interface CreatedUser {
  readonly username: string;
  readonly password: string;
}

/**
 * The suite's handle on one running app: starts and closes it, creates users with unique names,
 * and sends requests to the two views through the raw client.
 */
export class ParitySession {
  readonly #target: ParityTarget;
  #app: ParityApp | undefined;

  constructor(target: ParityTarget) {
    this.#target = target;
  }

  async start(): Promise<void> {
    this.#app = await this.#target.start();
  }

  async close(): Promise<void> {
    await this.#app?.close();
    this.#app = undefined;
  }

  get app(): ParityApp {
    if (this.#app === undefined) throw new Error(`${this.#target.name} has not started`);
    return this.#app;
  }

  /** A username no other test (or earlier run against the same database) has used. */
  uniqueUsername(prefix = 'user'): string {
    return `${prefix}_${randomBytes(6).toString('hex')}`;
  }

  /** Creates an active user with a unique name (unless `username` is given). */
  async newUser(
    options: Partial<ParityUser> & { readonly prefix?: string } = {},
  ): Promise<CreatedUser> {
    const { prefix, ...rest } = options;
    const user = {
      username: this.uniqueUsername(prefix),
      password: 'correct-horse-battery',
      ...rest,
    };
    await this.app.createUser(user);
    return { username: user.username, password: user.password };
  }

  /** Creates a user and issues their default token; returns the key. */
  async newKey(options: Partial<ParityUser> = {}): Promise<string> {
    const user = await this.newUser(options);
    return this.app.issueDefaultToken(user.username);
  }

  /** Sends one request; a 429 fails the test, since the targets run with throttling off. */
  async send(raw: RawRequest): Promise<RawResponse> {
    const response = await sendRaw(this.app.baseUrl, raw);
    assert.notEqual(response.status, 429, `${raw.method} ${raw.path} was throttled`);
    return response;
  }

  /**
   * A request to build-trigger (POST unless told), with `Authorization` when one is given; a list
   * sends one `Authorization` line per value.
   */
  buildTrigger(
    authorization: string | readonly string[] | undefined,
    options: ViewRequestOptions = {},
  ): Promise<RawResponse> {
    const headers = { ...options.headers };
    if (authorization !== undefined) headers.Authorization = authorization;
    return this.#sendToView(BUILD_TRIGGER_PATH, { ...options, headers });
  }

  /** A request to obtain-token (POST unless told), with `Content-Type` when one is given. */
  obtainToken(
    contentType: string | undefined,
    body: string | Uint8Array | undefined,
    options: ViewRequestOptions = {},
  ): Promise<RawResponse> {
    const headers = { ...options.headers };
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    return this.#sendToView(OBTAIN_TOKEN_PATH, { ...options, headers, body });
  }

  /** POSTs `value` to obtain-token as `application/json`. */
  obtainTokenWithJson(value: unknown, options: ViewRequestOptions = {}): Promise<RawResponse> {
    return this.obtainToken('application/json', JSON.stringify(value), options);
  }

  /** POSTs fields to obtain-token as `application/x-www-form-urlencoded` (UTF-8). */
  obtainTokenWithForm(fields: readonly FormField[]): Promise<RawResponse> {
    const form = new URLSearchParams();
    for (const [name, value] of fields) form.append(name, value);
    const body = form.toString();
    return this.obtainToken('application/x-www-form-urlencoded', body);
  }

  #sendToView(path: string, options: ViewRequestOptions): Promise<RawResponse> {
    return this.send({
      method: options.method ?? 'POST',
      path: path + (options.query ?? ''),
      headers: options.headers,
      body: options.body,
    });
  }
}
