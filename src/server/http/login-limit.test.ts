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

  it('10 wrong passwords from address A do not block the owner at address B; A then gets 429 + Retry-After, growing', async () => {
    const fromA: number[] = [];
    for (let i = 0; i < 10; i++) fromA.push((await attempt(A, 'owner', `wrong-${i}`)).status);
    expect(fromA).toEqual(Array(10).fill(401));

    const owner = await attempt(B, 'OWNER', 'right-password');
    expect(owner.status).toBe(200);
    expect(owner.headers.getSetCookie().some((c) => c.startsWith('huaku_session='))).toBe(true);

    // The eleventh guess from A, and A trying another account: 10 attempts a minute per address.
    for (const username of ['owner', 'someone_else']) {
      const refused = await attempt(A, username, 'wrong-again');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }

    // Backoff: a minute later A's address window is over, but its quarter-hour tier for this account is not.
    clock += 61_000;
    const later = await attempt(A, 'owner', 'wrong-later');
    expect(later.status).toBe(429);
    expect(Number(later.headers.get('retry-after'))).toBeGreaterThan(60);
    // The owner is still fine.
    expect((await attempt(B, 'owner', 'right-password')).status).toBe(200);
  }, 90_000); // a dozen scrypt hashes: about a second on a quiet machine, much more on a loaded CI box
});
