/** Short-lived cookies of the Google login round trip (scoped to /api/auth/google). */
export const OAUTH_COOKIES = {
  state: 'google_oauth_state',
  verifier: 'google_code_verifier',
  next: 'google_login_next',
} as const;
