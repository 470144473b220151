// Security class: login lockout. Limits are per address and per (account, address) with backoff, so a
// guesser slows down ever more while the account's owner, elsewhere, signs in as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as login } from '../../pages/api/auth/login.ts';
import { hashPassword } from '../auth/password.ts';
import { MemoryRateLimiter } from '../auth/rate-limit.ts';
import { testServices } from '../testing/community.ts';

const SITE = 'https://huaku.example.com';
const A = '203.0.113.7';
const B = '198.51.100.20';

describe('login limits', () => {
  let services: Awaited<ReturnType<typeof testServices>>;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    services = await testServices({ SITE_URL: SITE, RATE_LIMIT_LOGIN: '10/1m' });
    services.limiter = new MemoryRateLimiter(() => clock); // a fake clock: windows pass without waiting
    await services.store.users.create({ username: 'owner', name: 'Owner', passwordHash: await hashPassword('right-password') });
  });
  afterAll(() => services?.cleanup());

  const attempt = (address: string, username: string, password: string) =>
    login({
      request: new Request(`${SITE}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE },
        body: JSON.stringify({ username, password }),
      }),
      params: {},
      url: new URL(`${SITE}/api/auth/login`),
      clientAddress: address,
      locals: { services },
    } as never) as Promise<Response>;

  it('10 wrong passwords from address A do not block the owner at address B; A gets 429 + Retry-After, growing', async () => {
    const fromA: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 10; i++) {
      const response = await attempt(A, 'owner', `wrong-${i}`);
      fromA.push(response.status);
      if (response.status === 429) retryAfter = Number(response.headers.get('retry-after'));
    }
    // Five guesses a minute per account and address, then refusals that never reach the password check.
    expect(fromA).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const owner = await attempt(B, 'OWNER', 'right-password');
    expect(owner.status).toBe(200);
    expect(owner.headers.getSetCookie().some((c) => c.startsWith('huaku_session='))).toBe(true);

    // Address A is also held to 10 attempts a minute across accounts.
    expect((await attempt(A, 'someone_else', 'whatever')).status).toBe(429);

    // Backoff: a minute later A's first window is over, but the quarter-hour tier it ran into is not.
    clock += 61_000;
    const later = await attempt(A, 'owner', 'wrong-again');
    expect(later.status).toBe(429);
    expect(Number(later.headers.get('retry-after'))).toBeGreaterThan(60);
    // The owner is still fine.
    expect((await attempt(B, 'owner', 'right-password')).status).toBe(200);
  });
});
