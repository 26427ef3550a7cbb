// The session's CSRF secret, which every state-changing fetch sends in X-CSRF-Token.
export const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// Sends the user to the login page, which brings them back here once signed in.
export function signInAgain() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}
