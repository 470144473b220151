import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogle, type FakeGoogle } from '../../../fakes/google-oauth/server.ts';
import { tempSqliteStore } from '../testing/community.ts';
import { upsertGoogleUser } from './accounts.ts';
import { GoogleLogin, OAuthLoginError } from './google.ts';

describe('Google login (arctic) against the fake provider', () => {
  let fake: FakeGoogle;
  let login: GoogleLogin;
  const redirectUri = 'http://127.0.0.1:9/api/auth/google/callback';

  beforeAll(async () => {
    fake = await startFakeGoogle({ clientId: 'client-1', clientSecret: 'secret-1' });
    login = new GoogleLogin({ clientId: 'client-1', clientSecret: 'secret-1', redirectUri, authUrl: fake.authUrl, tokenUrl: fake.tokenUrl });
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
    const foreign = new GoogleLogin({ clientId: 'client-1', clientSecret: 'secret-1', redirectUri, authUrl: fake.authUrl, tokenUrl: fake.tokenUrl });
    (foreign as unknown as { config: { clientId: string } }).config.clientId = 'client-2';
    const { url, codeVerifier } = login.start();
    const code = (await authorize(url)).searchParams.get('code')!;
    expect(((await foreign.finish(code, codeVerifier).catch((e: unknown) => e)) as OAuthLoginError).code).toBe('oauth_token');
  });

  it('matches users by subject, refreshes name and picture, and picks a free username', async () => {
    const { store, cleanup } = await tempSqliteStore();
    try {
      await store.users.create({ username: 'mei', name: '占用者', email: 'taken@example.com' });
      const user = await upsertGoogleUser(store, { sub: 's-1', name: '小美', email: 'mei@example.com', emailVerified: true, picture: null });
      expect(user.username).toMatch(/^mei_[a-z0-9]+$/);
      expect(user).toMatchObject({ googleSub: 's-1', name: '小美', email: 'mei@example.com' });
      const again = await upsertGoogleUser(store, { sub: 's-1', name: '小美 2', email: 'mei@example.com', emailVerified: true, picture: 'https://x/p.png' });
      expect(again).toMatchObject({ id: user.id, name: '小美 2', profilePic: 'https://x/p.png' });
      // An address another account already has is not copied (the column is unique); unverified ones never are.
      const clash = await upsertGoogleUser(store, { sub: 's-2', name: null, email: 'taken@example.com', emailVerified: true, picture: null });
      expect(clash.email).toBeNull();
      const unverified = await upsertGoogleUser(store, { sub: 's-3', name: null, email: 'x@example.com', emailVerified: false, picture: null });
      expect(unverified).toMatchObject({ email: null, username: 'user_x' }); // stems shorter than 3 get a prefix
    } finally {
      await cleanup();
    }
  });
});
