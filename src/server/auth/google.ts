// Google login with arctic's generic OAuth2 client: authorization code flow with PKCE (S256), a random
// state, the user identified by the ID token's `sub`. Endpoints come from configuration so tests run the
// whole flow against a local fake provider (fakes/google-oauth). The ID token arrives straight from the
// token endpoint over TLS, so (as Lucia's guide notes) its claims are read without checking a signature;
// the audience and expiry are still checked.
// An ID token a client got from Google itself (Google Identity Services, a mobile app) and posts to
// POST /api/auth/login is another matter: it is verified in full with `jose` (GoogleIdTokenVerifier below):
// RS256 signature against Google's published keys (JWKS), issuer, audience, expiry.
import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError, decodeIdToken, generateCodeVerifier, generateState } from 'arctic';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import { z } from 'zod';
import type { CommunityConfig } from '../../core/env.ts';

const GOOGLE_SCOPES = ['openid', 'profile', 'email'];

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
  private readonly idTokens: GoogleIdTokenVerifier;

  constructor(config: NonNullable<CommunityConfig['google']>) {
    this.config = config;
    this.client = new OAuth2Client(config.clientId, config.clientSecret, config.redirectUri);
    this.idTokens = new GoogleIdTokenVerifier({ clientId: config.clientId, jwksUrl: config.jwksUrl });
  }

  /** The profile in an ID token a client obtained from Google, after full verification (see GoogleIdTokenVerifier). */
  verifyIdToken(idToken: string, now = new Date()): Promise<GoogleProfile> {
    return this.idTokens.verify(idToken, now);
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
    return profileFrom(claims);
  }
}

/** The profile the account code stores; an address counts as verified only when Google says so. */
function profileFrom(claims: z.infer<typeof claimsSchema>): GoogleProfile {
  return {
    sub: claims.sub,
    name: claims.name?.trim() || null,
    email: claims.email?.toLowerCase() ?? null,
    emailVerified: claims.email_verified === true,
    picture: claims.picture ?? null,
  };
}

/** Issuers Google signs ID tokens as (https://developers.google.com/identity/gsi/web/guides/verify-google-id-token). */
const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export interface GoogleIdTokenVerifierOptions {
  clientId: string;
  jwksUrl: string;
  /** Seconds of clock difference tolerated on exp/iat/nbf. */
  clockToleranceSeconds?: number;
  /** An unknown `kid` refetches the key set at most this often (a flood of bogus kids cannot hammer Google). */
  refetchCooldownMs?: number;
  /** Cache lifetime when the JWKS response has no Cache-Control max-age. */
  defaultMaxAgeMs?: number;
  fetch?: typeof fetch;
}

/**
 * Verifies Google ID tokens: RS256 only (so `alg: none` and HMAC tokens are refused), signed by a key in
 * Google's JWKS, `iss` one of GOOGLE_ISSUERS, `aud` our client id, `exp` in the future (with a small clock
 * tolerance), `sub` present. The key set is cached for its Cache-Control max-age and fetched again when a
 * token names a `kid` it does not hold (Google rotates keys). A stale set is still used if a refresh fails;
 * with no keys at all the failure is `oauth_unavailable`. Every refused token is `oauth_token`.
 */
export class GoogleIdTokenVerifier {
  private readonly options: Required<Omit<GoogleIdTokenVerifierOptions, 'fetch'>> & { fetch: typeof fetch };
  private keys: { set: ReturnType<typeof createLocalJWKSet>; fetchedAt: number; expiresAt: number } | null = null;
  private loading: Promise<NonNullable<GoogleIdTokenVerifier['keys']>> | null = null;
  /** How many times the key set was fetched (for tests and logs). */
  fetches = 0;

  constructor(options: GoogleIdTokenVerifierOptions) {
    this.options = {
      clockToleranceSeconds: 60,
      refetchCooldownMs: 30_000,
      defaultMaxAgeMs: 5 * 60_000,
      fetch: globalThis.fetch,
      ...options,
    };
  }

  async verify(idToken: string, now = new Date()): Promise<GoogleProfile> {
    const getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
      const keys = await this.current(now);
      try {
        return await keys.set(header, token);
      } catch (error) {
        if (!(error instanceof joseErrors.JWKSNoMatchingKey) || now.getTime() - keys.fetchedAt < this.options.refetchCooldownMs) throw error;
        return (await this.load(now)).set(header, token); // a key Google added since the last fetch
      }
    };
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(idToken, getKey, {
        algorithms: ['RS256'],
        issuer: GOOGLE_ISSUERS,
        audience: this.options.clientId,
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: now,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof OAuthLoginError) throw error;
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
        throw new OAuthLoginError('oauth_token', `the ID token was refused: ${error.message}`, { cause: error });
      }
      throw error;
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new OAuthLoginError('oauth_token', 'the ID token claims are malformed', { cause: claims.error });
    return profileFrom(claims.data);
  }

  /** The cached key set, refreshed when past its max-age (the stale one is kept if the refresh fails). */
  private async current(now: Date): Promise<NonNullable<GoogleIdTokenVerifier['keys']>> {
    if (this.keys && now.getTime() < this.keys.expiresAt) return this.keys;
    try {
      return await this.load(now);
    } catch (error) {
      if (this.keys) return this.keys;
      throw error;
    }
  }

  private load(now: Date): Promise<NonNullable<GoogleIdTokenVerifier['keys']>> {
    this.loading ??= this.fetchKeys(now).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async fetchKeys(now: Date): Promise<NonNullable<GoogleIdTokenVerifier['keys']>> {
    this.fetches++;
    let response: Response;
    let body: unknown;
    try {
      response = await this.options.fetch(this.options.jwksUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new OAuthLoginError('oauth_unavailable', `cannot fetch Google's signing keys: ${(error as Error).message}`, { cause: error });
    }
    let set: ReturnType<typeof createLocalJWKSet>;
    try {
      set = createLocalJWKSet(body as JSONWebKeySet);
    } catch (error) {
      throw new OAuthLoginError('oauth_unavailable', `Google's signing keys are malformed: ${(error as Error).message}`, { cause: error });
    }
    const cacheControl = response.headers.get('cache-control') ?? '';
    const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl)?.[1];
    const ttl = /no-store|no-cache/i.test(cacheControl) ? 0 : maxAge !== undefined ? Math.min(Number(maxAge) * 1000, 86_400_000) : this.options.defaultMaxAgeMs;
    this.keys = { set, fetchedAt: now.getTime(), expiresAt: now.getTime() + ttl };
    return this.keys;
  }
}
