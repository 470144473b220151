// A local stand-in for Google's OAuth 2.0 / OpenID Connect endpoints, for tests and demos (never call the
// real Google from a test). It implements what the login flow relies on, strictly:
//   GET  /authorize  client_id, redirect_uri, response_type=code, state, code_challenge (S256), scope
//                    → 302 to redirect_uri?code&state, signed in as the user set with `signInAs`
//                      (or ?error=access_denied after `denyNext()`)
//   POST /token      grant_type=authorization_code, code, redirect_uri, code_verifier; client credentials
//                    by HTTP Basic or in the body → {access_token, id_token, …}; a code works once
//                    (a replay gets invalid_grant), and only with the verifier matching its challenge.
// The ID token is a JWT with the usual claims (iss, aud, sub, name, email, picture, exp); its signature
// is a placeholder: the server under test reads it straight from the token endpoint, as with Google.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  close(): Promise<void>;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export async function startFakeGoogle(options: { clientId: string; clientSecret: string; port?: number }): Promise<FakeGoogle> {
  const codes = new Map<string, IssuedCode>();
  let user: FakeGoogleUser = { sub: '100000000000000000001', name: '测试用户', email: 'tester@example.com', email_verified: true };
  let deny = false;
  const tokenRequests: FakeGoogle['tokenRequests'] = [];
  let origin = '';

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
      const idToken = [b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'fake' })), b64url(JSON.stringify(claims)), b64url('fake-signature')].join('.');
      tokenRequests.push({ code, status: 200 });
      return json(res, 200, { access_token: b64url(randomBytes(16)), token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email', id_token: idToken });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
