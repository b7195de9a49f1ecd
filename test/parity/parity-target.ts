/** A user the parity suite asks the app under test to create. */
export interface ParityUser {
  readonly username: string;
  readonly password: string;
  readonly isActive?: boolean;
  readonly isStaff?: boolean;
}

/**
 * A running app that serves `POST /api/build-trigger/` and `POST /api-token-auth/`, with the
 * back-door operations the suite needs to arrange each case. The suite itself only talks HTTP.
 */
export interface ParityApp {
  /** Where the app listens, e.g. `http://127.0.0.1:PORT` (no trailing slash needed). */
  readonly baseUrl: string;
  createUser(user: ParityUser): Promise<void>;
  /** Replaces the user's default token and returns its fresh key (`tsr_…`). */
  issueDefaultToken(username: string): Promise<string>;
  deactivateUser(username: string): Promise<void>;
  /** Deletes the user and, with them, their tokens. */
  deleteUser(username: string): Promise<void>;
  close(): Promise<void>;
}

/** Something the parity suite can run against: an app built with one adapter and one store. */
export interface ParityTarget {
  readonly name: string;
  start(): Promise<ParityApp>;
}
