// A local stand-in for Google's OAuth 2.0 / OpenID Connect endpoints, for tests and demos (never call the
// real Google from a test). It implements what the login flow relies on, strictly:
//   GET  /authorize  client_id, redirect_uri, response_type=code, state, code_challenge (S256), scope
//                    → 302 to redirect_uri?code&state, signed in as the user set with `signInAs`
//                      (or ?error=access_denied after `denyNext()`)
//   POST /token      grant_type=authorization_code, code, redirect_uri, code_verifier; client credentials
//                    by HTTP Basic or in the body → {access_token, id_token, …}; a code works once
//                    (a replay gets invalid_grant), and only with the verifier matching its challenge.
//   GET  /certs      the JSON Web Key Set (RSA public keys) the ID tokens are signed with, with a
//                    Cache-Control max-age like Google's (or 503 after `failJwks(true)`)
// ID tokens are RS256 JWTs with the usual claims (iss, aud, sub, name, email, picture, exp), signed with
// an RSA key generated at startup. `mintIdToken` makes one for tests of POST /api/auth/login (as a client
// that signed in with Google Identity Services would post it), including broken ones: another key, a
// wrong algorithm, `alg: none`.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface FakeGoogleUser {
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  user: FakeGoogleUser;
  used: boolean;
  expiresAt: number;
}

export interface FakeGoogle {
  url: string;
  authUrl: string;
  tokenUrl: string;
  signInAs(user: FakeGoogleUser): void;
  /** The next /authorize answers error=access_denied (the user clicked "cancel"). */
  denyNext(): void;
  /** Every token request's outcome, for assertions. */
  tokenRequests: Array<{ code: string; status: number; error?: string }>;
  /** The JWKS endpoint (GOOGLE_JWKS_URL). */
  jwksUrl: string;
  /** How many times /certs was fetched. */
  jwksRequests: number;
  /** /certs answers 503 while set. */
  failJwks(fail: boolean): void;
  /** Publish a new signing key (the old one stays published) and sign with it from now on; returns its kid. */
  rotateKey(): Promise<string>;
  /** An ID token as Google would issue it for the signed-in user (iss https://accounts.google.com, aud the client id, 1 h). */
  mintIdToken(claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface MintOptions {
  /** 'unpublished': signed by a key that is not in the JWKS (under the current kid unless `kid` is given). */
  key?: 'published' | 'unpublished';
  /** HS256 is signed with the client secret as the HMAC key (the classic algorithm-confusion attempt). */
  alg?: 'RS256' | 'HS256' | 'none';
  kid?: string;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export async function startFakeGoogle(options: { clientId: string; clientSecret: string; port?: number }): Promise<FakeGoogle> {
  const codes = new Map<string, IssuedCode>();
  let user: FakeGoogleUser = { sub: '100000000000000000001', name: '测试用户', email: 'tester@example.com', email_verified: true };
  let deny = false;
  const tokenRequests: FakeGoogle['tokenRequests'] = [];
  let origin = '';
  const published: SigningKey[] = [await newKey()];
  const unpublished = await newKey();
  let jwksDown = false;
  const state = { jwksRequests: 0 };

  const sign = async (claims: Record<string, unknown>, mint: MintOptions = {}): Promise<string> => {
    const current = published.at(-1)!;
    const alg = mint.alg ?? 'RS256';
    const kid = mint.kid ?? current.kid;
    if (alg === 'none') return [b64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid })), b64url(JSON.stringify(claims)), ''].join('.');
    const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid });
    if (alg === 'HS256') return jwt.sign(new TextEncoder().encode(options.clientSecret));
    return jwt.sign(mint.key === 'unpublished' ? unpublished.privateKey : current.privateKey);
  };

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== options.clientId || !redirectUri) return json(res, 400, { error: 'invalid_client' });
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state')) {
        return json(res, 400, { error: 'invalid_request', error_description: 'code flow with state and an S256 PKCE challenge is required' });
      }
      const target = new URL(redirectUri);
      target.searchParams.set('state', q.get('state')!);
      if (deny) {
        deny = false;
        target.searchParams.set('error', 'access_denied');
      } else {
        const code = b64url(randomBytes(24));
        codes.set(code, { clientId: options.clientId, redirectUri, challenge: q.get('code_challenge')!, user, used: false, expiresAt: Date.now() + 60_000 });
        target.searchParams.set('code', code);
      }
      res.writeHead(302, { location: target.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let raw = '';
      for await (const chunk of req) raw += String(chunk);
      const form = new URLSearchParams(raw);
      const code = form.get('code') ?? '';
      const fail = (status: number, error: string) => {
        tokenRequests.push({ code, status, error });
        json(res, status, { error });
      };
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
      if (id !== options.clientId || secret !== options.clientSecret) return fail(401, 'invalid_client');
      if (form.get('grant_type') !== 'authorization_code') return fail(400, 'unsupported_grant_type');
      const issued = codes.get(code);
      if (!issued || issued.used || issued.expiresAt < Date.now()) return fail(400, 'invalid_grant');
      issued.used = true; // one use, even when the rest of the request is wrong
      if (form.get('redirect_uri') !== issued.redirectUri) return fail(400, 'invalid_grant');
      const verifier = form.get('code_verifier') ?? '';
      if (b64url(createHash('sha256').update(verifier).digest()) !== issued.challenge) return fail(400, 'invalid_grant');
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: origin, aud: issued.clientId, iat: now, exp: now + 3600, ...issued.user };
      const idToken = await sign(claims);
      tokenRequests.push({ code, status: 200 });
      return json(res, 200, { access_token: b64url(randomBytes(16)), token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email', id_token: idToken });
    }
    if (req.method === 'GET' && url.pathname === '/certs') {
      state.jwksRequests++;
      if (jwksDown) return json(res, 503, { error: 'unavailable' });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600, must-revalidate' });
      return res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    authUrl: `${origin}/authorize`,
    tokenUrl: `${origin}/token`,
    signInAs(next) {
      user = next;
    },
    denyNext() {
      deny = true;
    },
    tokenRequests,
    jwksUrl: `${origin}/certs`,
    get jwksRequests() {
      return state.jwksRequests;
    },
    failJwks(fail) {
      jwksDown = fail;
    },
    async rotateKey() {
      published.push(await newKey());
      return published.at(-1)!.kid;
    },
    mintIdToken(claims = {}, mint = {}) {
      const now = Math.floor(Date.now() / 1000);
      return sign({ iss: 'https://accounts.google.com', aud: options.clientId, iat: now, exp: now + 3600, ...user, ...claims }, mint);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
