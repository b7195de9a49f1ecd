/**
 * Why an invalidation listener (PostgreSQL LISTEN, Redis subscribe) is down, reported through
 * the subscriber's `channelFailed` (createTessera's `onBackgroundError`) once per failure. Its
 * message names the channel, the cause and when it tries again, and never holds a password.
 */
export class InvalidationListenerFailure extends Error {
  /** The channel, e.g. `PostgreSQL` or `Redis`. */
  readonly channel: string;
  /** The server refused the URL's credentials: retrying will not help until they are fixed. */
  readonly credentialsRefused: boolean;
  /** When the listener tries again, in ms. */
  readonly retryInMs: number;

  constructor(
    channel: string,
    reason: string,
    details: { readonly credentialsRefused: boolean; readonly retryInMs: number },
  ) {
    super(
      `${channel} invalidation listener: ${details.credentialsRefused ? 'credentials refused: ' : ''}` +
        `${reason.replace(/\.$/, '')}; retrying in ${formatDelay(details.retryInMs)} (meanwhile ` +
        "the token cache cannot hear other nodes' revocations)",
    );
    this.name = 'InvalidationListenerFailure';
    this.channel = channel;
    this.credentialsRefused = details.credentialsRefused;
    this.retryInMs = details.retryInMs;
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** The first retry after refused credentials, and the longest: a password is not fixed in 100 ms. */
export const REFUSED_CREDENTIALS_FIRST_RETRY_MS = 1000;
export const REFUSED_CREDENTIALS_LONGEST_RETRY_MS = 30_000;

/** A driver error's message, with the URL's password masked should the driver ever repeat it. */
export function withoutPassword(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const password = URL.canParse(url) ? decodeURIComponent(new URL(url).password) : '';
  return password === '' ? message : message.replaceAll(password, '***');
}
