// Google login with arctic's generic OAuth2 client: authorization code flow with PKCE (S256), a random
// state, the user identified by the ID token's `sub`. Endpoints come from configuration so tests run the
// whole flow against a local fake provider (fakes/google-oauth). The ID token arrives straight from the
// token endpoint over TLS, so (as Lucia's guide notes) its claims are read without checking a signature;
// the audience and expiry are still checked.
import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError, decodeIdToken, generateCodeVerifier, generateState } from 'arctic';
import { z } from 'zod';
import type { CommunityConfig } from '../env.ts';

export const GOOGLE_SCOPES = ['openid', 'profile', 'email'];

export interface GoogleProfile {
  sub: string;
  name: string | null;
  email: string | null;
  emailVerified: boolean;
  picture: string | null;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number().optional(),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  email_verified: z.boolean().optional(),
  picture: z.url({ protocol: /^https?$/ }).max(2000).optional(),
});

/** Why a Google login did not complete; `code` is what /login shows (see the login page's messages). */
export class OAuthLoginError extends Error {
  readonly code: 'oauth_state' | 'oauth_denied' | 'oauth_code' | 'oauth_token' | 'oauth_unavailable';
  constructor(code: OAuthLoginError['code'], message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'OAuthLoginError';
    this.code = code;
  }
}

export class GoogleLogin {
  private readonly client: OAuth2Client;
  private readonly config: NonNullable<CommunityConfig['google']>;

  constructor(config: NonNullable<CommunityConfig['google']>) {
    this.config = config;
    this.client = new OAuth2Client(config.clientId, config.clientSecret, config.redirectUri);
  }

  /** Where to send the browser, and the state and code verifier to keep in short-lived cookies. */
  start(): { url: URL; state: string; codeVerifier: string } {
    const state = generateState();
    const codeVerifier = generateCodeVerifier();
    const url = this.client.createAuthorizationURLWithPKCE(this.config.authUrl, state, CodeChallengeMethod.S256, codeVerifier, GOOGLE_SCOPES);
    url.searchParams.set('prompt', 'select_account');
    return { url, state, codeVerifier };
  }

  /** Exchange the callback's code (with the verifier from the cookie) for the user's Google profile. */
  async finish(code: string, codeVerifier: string, now = new Date()): Promise<GoogleProfile> {
    let idToken: string;
    try {
      const tokens = await this.client.validateAuthorizationCode(this.config.tokenUrl, code, codeVerifier);
      idToken = tokens.idToken();
    } catch (error) {
      if (error instanceof OAuth2RequestError) {
        throw new OAuthLoginError('oauth_code', `the provider refused the authorization code (${error.code})`, { cause: error });
      }
      throw new OAuthLoginError('oauth_unavailable', `cannot reach the token endpoint: ${(error as Error).message}`, { cause: error });
    }
    let claims: z.infer<typeof claimsSchema>;
    try {
      claims = claimsSchema.parse(decodeIdToken(idToken));
    } catch (error) {
      throw new OAuthLoginError('oauth_token', 'the ID token is malformed', { cause: error });
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.config.clientId)) throw new OAuthLoginError('oauth_token', 'the ID token is for another client');
    if (claims.exp !== undefined && claims.exp * 1000 < now.getTime()) throw new OAuthLoginError('oauth_token', 'the ID token has expired');
    return {
      sub: claims.sub,
      name: claims.name?.trim() || null,
      email: claims.email?.toLowerCase() ?? null,
      emailVerified: claims.email_verified === true,
      picture: claims.picture ?? null,
    };
  }
}
