import { markup } from '../html';
import { layout } from './layout';

/** `/admin/login`: user name and password; `next` is where to go once signed in. */
export function renderLogin(options: { next: string; error?: string | undefined }): string {
  const error = options.error
    ? markup`<p class="error" role="alert" id="login-error">${options.error}</p>`
    : null;
  const body = markup`<form class="login" method="post" action="/admin/login">
<h1>Sign in</h1>
${error}
<input type="hidden" name="next" value="${options.next}">
<label for="user">User</label>
<input id="user" name="user" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button>
</form>`;
  return layout({ title: 'Sign in', signedIn: false, body });
}
