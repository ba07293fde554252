// The login gate: asks the server who we are (the session cookie, set by a password login or a one-time
// `?token=` link) and shows a form when nobody is logged in. A server without auth answers {auth: false}: no gate.
export interface LoginIdentity {
  user: string;
  role: string;
  expiresAtMs: number;
}

async function currentSession(): Promise<LoginIdentity | null | 'no-auth'> {
  const res = await fetch('api/session', { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 404) return 'no-auth';
  if (!res.ok) return null;
  const body = (await res.json()) as LoginIdentity | { auth: false };
  return 'auth' in body && body.auth === false ? 'no-auth' : (body as LoginIdentity);
}

/** Resolves once the page may open its socket: a live session, or a server that has no login. */
export async function ensureLoggedIn(): Promise<LoginIdentity | null> {
  const s = await currentSession().catch(() => null);
  if (s === 'no-auth') return null;
  if (s) return s;
  return showLoginForm(new URLSearchParams(location.search).get('login') === 'token-invalid'
    ? 'That login link was already used or has expired. Log in with your username and password.'
    : '');
}

function showLoginForm(note: string): Promise<LoginIdentity> {
  const overlay = document.createElement('div');
  overlay.className = 'login-overlay';
  overlay.innerHTML = `
    <form class="login-box" data-login autocomplete="on">
      <h1>armstack</h1>
      <p class="login-note" data-note></p>
      <label>Username <input name="username" autocomplete="username" required autofocus /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Log in</button>
      <p class="login-error" data-error role="alert"></p>
    </form>`;
  document.body.appendChild(overlay);
  const form = overlay.querySelector<HTMLFormElement>('[data-login]')!;
  overlay.querySelector<HTMLElement>('[data-note]')!.textContent = note;
  const error = overlay.querySelector<HTMLElement>('[data-error]')!;
  return new Promise((resolve) => {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      error.textContent = '';
      fetch('api/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
      }).then(async (res) => {
        const body = (await res.json()) as LoginIdentity & { error?: string };
        if (!res.ok) {
          error.textContent = body.error ?? `login failed (${res.status})`;
          return;
        }
        overlay.remove();
        resolve(body);
      }, (err: unknown) => {
        error.textContent = `cannot reach the server: ${(err as Error).message}`;
      });
    });
  });
}

export async function logout(): Promise<void> {
  await fetch('api/logout', { method: 'POST', credentials: 'same-origin' });
  location.reload();
}
