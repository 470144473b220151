import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogle, type FakeGoogle } from '../../../fakes/google-oauth/server.ts';
import { tempSqliteStore } from '../testing/community.ts';
import { upsertGoogleUser } from './accounts.ts';
import { GoogleIdTokenVerifier, GoogleLogin, OAuthLoginError } from './google.ts';

describe('Google login (arctic) against the fake provider', () => {
  let fake: FakeGoogle;
  let login: GoogleLogin;
  const redirectUri = 'http://127.0.0.1:9/api/auth/google/callback';

  beforeAll(async () => {
    fake = await startFakeGoogle({ clientId: 'client-1', clientSecret: 'secret-1' });
    login = new GoogleLogin({ clientId: 'client-1', clientSecret: 'secret-1', redirectUri, authUrl: fake.authUrl, tokenUrl: fake.tokenUrl, jwksUrl: fake.jwksUrl });
  });
  afterAll(() => fake.close());

  /** Follow the authorization URL like a browser and return the code the provider sends back. */
  async function authorize(url: URL): Promise<URL> {
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  it('runs the PKCE code flow and reads the profile from the ID token', async () => {
    fake.signInAs({ sub: '1234567890', name: '谷歌用户', email: 'G.User@Example.com', email_verified: true, picture: 'https://example.com/p.png' });
    const { url, state, codeVerifier } = login.start();
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(url.searchParams.get('scope')).toBe('openid profile email');
    const back = await authorize(url);
    expect(back.searchParams.get('state')).toBe(state);
    const profile = await login.finish(back.searchParams.get('code')!, codeVerifier);
    expect(profile).toEqual({ sub: '1234567890', name: '谷歌用户', email: 'g.user@example.com', emailVerified: true, picture: 'https://example.com/p.png' });
  });

  it('refuses a replayed code and a wrong code verifier', async () => {
    const first = login.start();
    const code = (await authorize(first.url)).searchParams.get('code')!;
    await login.finish(code, first.codeVerifier);
    const replay = await login.finish(code, first.codeVerifier).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(OAuthLoginError);
    expect((replay as OAuthLoginError).code).toBe('oauth_code');
    const second = login.start();
    const other = (await authorize(second.url)).searchParams.get('code')!;
    expect(((await login.finish(other, first.codeVerifier).catch((e: unknown) => e)) as OAuthLoginError).code).toBe('oauth_code');
  });

  it('refuses an ID token for another client', async () => {
    const foreign = new GoogleLogin({ clientId: 'client-1', clientSecret: 'secret-1', redirectUri, authUrl: fake.authUrl, tokenUrl: fake.tokenUrl, jwksUrl: fake.jwksUrl });
    (foreign as unknown as { config: { clientId: string } }).config.clientId = 'client-2';
    const { url, codeVerifier } = login.start();
    const code = (await authorize(url)).searchParams.get('code')!;
    expect(((await foreign.finish(code, codeVerifier).catch((e: unknown) => e)) as OAuthLoginError).code).toBe('oauth_token');
  });

  it('matches users by subject, refreshes name and picture, and picks a random handle (never from the email)', async () => {
    const { store, cleanup } = await tempSqliteStore();
    try {
      await store.users.create({ username: 'mei', name: '占用者', email: 'taken@example.com' });
      const user = await upsertGoogleUser(store, { sub: 's-1', name: '小美', email: 'mei@example.com', emailVerified: true, picture: null });
      expect(user.username).toMatch(/^user_[a-z2-9]{6}$/);
      expect(user).toMatchObject({ googleSub: 's-1', name: '小美', email: 'mei@example.com' });
      const again = await upsertGoogleUser(store, { sub: 's-1', name: '小美 2', email: 'mei@example.com', emailVerified: true, picture: 'https://x/p.png' });
      expect(again).toMatchObject({ id: user.id, name: '小美 2', profilePic: 'https://x/p.png' });
      // An address another account already has is not copied (the column is unique); unverified ones never are.
      const clash = await upsertGoogleUser(store, { sub: 's-2', name: null, email: 'taken@example.com', emailVerified: true, picture: null });
      expect(clash.email).toBeNull();
      const unverified = await upsertGoogleUser(store, { sub: 's-3', name: null, email: 'x@example.com', emailVerified: false, picture: null });
      expect(unverified.email).toBeNull();
      expect(unverified.username).toMatch(/^user_[a-z2-9]{6}$/); // nothing of the address's local part
    } finally {
      await cleanup();
    }
  });
});

describe('Google ID token verification (POST /api/auth/login with provider google)', () => {
  let fake: FakeGoogle;
  beforeAll(async () => {
    fake = await startFakeGoogle({ clientId: 'client-1', clientSecret: 'secret-1' });
    fake.signInAs({ sub: 'sub-77', name: '令牌用户', email: 'Token@Example.com', email_verified: true });
  });
  afterAll(() => fake.close());

  const verifier = (options: { refetchCooldownMs?: number } = {}) => new GoogleIdTokenVerifier({ clientId: 'client-1', jwksUrl: fake.jwksUrl, ...options });
  const refusal = async (v: GoogleIdTokenVerifier, token: string, now?: Date) => {
    const error = await v.verify(token, now).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthLoginError);
    return (error as OAuthLoginError).code;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a valid token, caches the key set for its max-age and refetches after it', async () => {
    const v = verifier();
    const before = fake.jwksRequests;
    expect(await v.verify(await fake.mintIdToken())).toEqual({ sub: 'sub-77', name: '令牌用户', email: 'token@example.com', emailVerified: true, picture: null });
    expect(await v.verify(await fake.mintIdToken({ iss: 'accounts.google.com' }))).toMatchObject({ sub: 'sub-77' });
    expect(fake.jwksRequests - before).toBe(1);
    // max-age=3600: an hour later the set is fetched again.
    await v.verify(await fake.mintIdToken({ exp: now() + 7200 }), new Date(Date.now() + 3601_000));
    expect(fake.jwksRequests - before).toBe(2);
    // A token a little past exp passes within the clock tolerance.
    await v.verify(await fake.mintIdToken({ exp: now() - 20 }));
  });

  it('refetches the key set for an unknown kid (key rotation), at most once per cooldown', async () => {
    const v = verifier({ refetchCooldownMs: 0 });
    await v.verify(await fake.mintIdToken());
    await fake.rotateKey();
    const before = fake.jwksRequests;
    expect(await v.verify(await fake.mintIdToken())).toMatchObject({ sub: 'sub-77' });
    expect(fake.jwksRequests - before).toBe(1);
    const cooling = verifier(); // default cooldown: a bogus kid right after a fetch does not refetch
    await cooling.verify(await fake.mintIdToken());
    const after = fake.jwksRequests;
    expect(await refusal(cooling, await fake.mintIdToken({}, { kid: 'no-such-kid' }))).toBe('oauth_token');
    expect(fake.jwksRequests).toBe(after);
  });

  it('refuses forged, foreign, expired and malformed tokens', async () => {
    const v = verifier({ refetchCooldownMs: 0 });
    expect(await refusal(v, await fake.mintIdToken({}, { key: 'unpublished' }))).toBe('oauth_token'); // bad signature, known kid
    expect(await refusal(v, await fake.mintIdToken({}, { key: 'unpublished', kid: 'other-kid' }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({ aud: 'client-2' }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({ exp: now() - 600 }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({ iss: 'https://evil.example.com' }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({}, { alg: 'none' }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({}, { alg: 'HS256' }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({ sub: undefined }))).toBe('oauth_token');
    expect(await refusal(v, await fake.mintIdToken({ exp: undefined }))).toBe('oauth_token');
    expect(await refusal(v, 'not-a-jwt')).toBe('oauth_token');
  });

  it('reports an unreachable key set as unavailable, and keeps using a stale set when a refresh fails', async () => {
    fake.failJwks(true);
    try {
      expect(await refusal(verifier(), await fake.mintIdToken())).toBe('oauth_unavailable');
      expect(await refusal(new GoogleIdTokenVerifier({ clientId: 'client-1', jwksUrl: 'http://127.0.0.1:9/certs' }), await fake.mintIdToken())).toBe('oauth_unavailable');
    } finally {
      fake.failJwks(false);
    }
    const v = verifier();
    await v.verify(await fake.mintIdToken({ exp: now() + 7200 }));
    fake.failJwks(true);
    try {
      expect(await v.verify(await fake.mintIdToken({ exp: now() + 7200 }), new Date(Date.now() + 3601_000))).toMatchObject({ sub: 'sub-77' });
    } finally {
      fake.failJwks(false);
    }
  });
});
