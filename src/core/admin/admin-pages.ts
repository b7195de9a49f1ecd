import type { User } from '../users/user.js';
import type { KeysetPage, ListedToken } from './admin-store.js';
import { type Html, html, layout } from './html.js';

/** Django admin's refusal for wrong credentials or a user who is not active staff. */
export const STAFF_LOGIN_REFUSAL =
  'Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.';

/** What every signed-in page is rendered with. */
export interface PageContext {
  readonly nonce: string;
  readonly csrfToken: string;
  readonly user: User;
  readonly errors?: readonly string[];
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrfmiddlewaretoken" value="${token}">`;
}

function errorList(errors: readonly string[] | undefined): Html {
  if (!errors || errors.length === 0) return html``;
  return html`<div role="alert" class="error">${errors.map((error) => html`<p>${error}</p>`)}</div>`;
}

function nav(context: PageContext): Html {
  return html`<nav aria-label="Admin"><a href="/admin/">Tokens</a> · <a href="/admin/users/">Users</a></nav>
<form method="post" action="/admin/sign-out/">${csrfField(context.csrfToken)}<span>${context.user.username}</span> <button type="submit" class="secondary">Sign out</button></form>`;
}

/** The sign-in form, labelled as Django's admin labels it. */
export function signInPage(options: {
  readonly nonce: string;
  readonly csrfToken: string;
  readonly username?: string;
  readonly errors?: readonly string[];
}): string {
  return layout({
    title: 'Sign in',
    nonce: options.nonce,
    body: html`${errorList(options.errors)}
<form method="post" action="/admin/sign-in/">${csrfField(options.csrfToken)}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus value="${options.username ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form>`,
  });
}

function when(date: Date | null): string {
  return date ? `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC` : '—';
}

function tokenRow(context: PageContext, { token, username }: ListedToken): Html {
  const label = token.name ?? `${token.kind} token`;
  return html`<tr><td>${username}</td><td>${token.kind}</td><td>${token.name ?? ''}</td><td><code>${token.preview}…</code></td>
<td>${token.scopes.join(' ')}</td><td>${when(token.created)}</td><td>${when(token.lastUsed)}</td><td>${token.expires ? when(token.expires) : 'never'}</td>
<td><form method="post" action="/admin/rotate/" class="inline" data-confirm="Rotate ${label} of ${username}? Its key stops working at once.">${csrfField(context.csrfToken)}<input type="hidden" name="id" value="${token.id}"><button type="submit" class="secondary" aria-label="Rotate ${label} of ${username}">Rotate</button></form>
<form method="post" action="/admin/revoke/" class="inline" data-confirm="Revoke ${label} of ${username}?">${csrfField(context.csrfToken)}<input type="hidden" name="id" value="${token.id}"><button type="submit">Revoke</button></form></td></tr>`;
}

/** The tokens page: a new key once, the create form, the filter and one page of tokens. */
export function tokensPage(
  context: PageContext,
  options: {
    readonly newKey: string | null;
    readonly page: KeysetPage<ListedToken>;
    readonly filterUser: string;
    readonly form?: Readonly<Record<string, string>>;
  },
): string {
  const form = options.form ?? {};
  const notice = options.newKey
    ? html`<div class="notice" role="status"><p><strong>Copy the new key now: it will not be shown again.</strong></p>
<p><code id="new-key" data-testid="new-key">${options.newKey}</code></p><button type="button" data-copy="new-key">Copy</button></div>`
    : html``;
  const next =
    options.page.next === null
      ? html``
      : html`<p><a href="/admin/?${new URLSearchParams({ ...(options.filterUser ? { user: options.filterUser } : {}), before: String(options.page.next) }).toString()}">Next page</a></p>`;
  return layout({
    title: 'Tokens',
    nonce: context.nonce,
    nav: nav(context),
    body: html`${notice}${errorList(context.errors)}
<section aria-labelledby="create-heading"><h2 id="create-heading">Create a token</h2>
<form method="post" action="/admin/create/">${csrfField(context.csrfToken)}
<label for="create-user">User</label><input id="create-user" name="username" required value="${form.username ?? ''}">
<label for="create-name">Name</label><input id="create-name" name="name" required maxlength="150" value="${form.name ?? ''}">
<label for="create-scopes">Scopes</label><input id="create-scopes" name="scopes" aria-describedby="scopes-help" value="${form.scopes ?? ''}"><small id="scopes-help"> separated by spaces; empty for <code>*</code> (everything)</small>
<label for="create-expires">Expires in</label><input id="create-expires" name="expires_in" aria-describedby="expires-help" value="${form.expires_in ?? ''}"><small id="expires-help"> seconds, or 30m, 12h, 30d, 2w; empty for never</small>
<p><button type="submit">Create token</button></p></form></section>
<section aria-labelledby="list-heading"><h2 id="list-heading">Tokens</h2>
<form method="get" action="/admin/" class="filters"><div><label for="filter-user">Filter by user</label><input id="filter-user" name="user" value="${options.filterUser}"></div><button type="submit" class="secondary">Filter</button></form>
<table><thead><tr><th scope="col">User</th><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Preview</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead>
<tbody>${options.page.rows.map((row) => tokenRow(context, row))}</tbody></table>
${options.page.rows.length === 0 ? html`<p>No tokens.</p>` : html``}${next}</section>`,
  });
}

function userRow(context: PageContext, user: User): Html {
  const toggle = user.isActive ? 'deactivate' : 'activate';
  return html`<tr><td>${user.username}</td><td>${user.isStaff ? 'yes' : 'no'}</td><td>${user.isSuperuser ? 'yes' : 'no'}</td><td>${user.isActive ? 'yes' : 'no'}</td>
<td><form method="post" action="/admin/${toggle}/" class="inline">${csrfField(context.csrfToken)}<input type="hidden" name="id" value="${user.id}"><button type="submit" class="secondary" aria-label="${user.isActive ? 'Deactivate' : 'Activate'} ${user.username}">${user.isActive ? 'Deactivate' : 'Activate'}</button></form>
<form method="post" action="/admin/revoke-all/" class="inline" data-confirm="Revoke every token of ${user.username}?">${csrfField(context.csrfToken)}<input type="hidden" name="id" value="${user.id}"><button type="submit" aria-label="Revoke all tokens of ${user.username}">Revoke all tokens</button></form></td></tr>`;
}

/** The users page: a search by username and one page of users with their actions. */
export function usersPage(
  context: PageContext,
  options: { readonly page: KeysetPage<User>; readonly search: string; readonly notice?: string },
): string {
  const next =
    options.page.next === null
      ? html``
      : html`<p><a href="/admin/users/?${new URLSearchParams({ ...(options.search ? { q: options.search } : {}), before: String(options.page.next) }).toString()}">Next page</a></p>`;
  return layout({
    title: 'Users',
    nonce: context.nonce,
    nav: nav(context),
    body: html`${options.notice ? html`<div class="notice" role="status"><p>${options.notice}</p></div>` : html``}${errorList(context.errors)}
<form method="get" action="/admin/users/" class="filters"><div><label for="search">Search users</label><input id="search" name="q" type="search" value="${options.search}"></div><button type="submit" class="secondary">Search</button></form>
<table><thead><tr><th scope="col">Username</th><th scope="col">Staff</th><th scope="col">Superuser</th><th scope="col">Active</th><th scope="col">Actions</th></tr></thead>
<tbody>${options.page.rows.map((user) => userRow(context, user))}</tbody></table>${options.page.rows.length === 0 ? html`<p>No users.</p>` : html``}${next}`,
  });
}

/** A page that says only what went wrong (403, 404). */
export function messagePage(nonce: string, title: string, message: string): string {
  return layout({
    title,
    nonce,
    body: html`<p>${message}</p><p><a href="/admin/">Back to the admin page</a></p>`,
  });
}
