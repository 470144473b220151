// Security class: privacy. Users are addressed by public handles (usernames), never by the sequential ids
// that would enumerate every account; Google handles do not publish the email address; invisible and
// bidi-control characters are stripped from display names wherever they enter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeDisplayName } from '../../core/text/display-name.ts';
import { GET as userArtworks } from '../../pages/api/users/[username]/artworks.ts';
import { GET as artwork } from '../../pages/api/artworks/[id].ts';
import { GET as me } from '../../pages/api/auth/me.ts';
import { POST as register } from '../../pages/api/auth/register.ts';
import { googleUsername, upsertGoogleUser } from '../auth/accounts.ts';
import { testServices } from '../testing/community.ts';

const SITE = 'https://huaku.example.com';

describe('privacy', () => {
  let services: Awaited<ReturnType<typeof testServices>>;
  beforeAll(async () => {
    services = await testServices({ SITE_URL: SITE });
  });
  afterAll(() => services?.cleanup());

  const call = (route: unknown, method: string, path: string, init: { json?: unknown; cookie?: string; params?: Record<string, string> } = {}) =>
    (route as (input: unknown) => Promise<Response>)({
      request: new Request(`${SITE}${path}`, {
        method,
        headers: { ...(init.json ? { 'content-type': 'application/json', origin: SITE } : {}), ...(init.cookie ? { cookie: init.cookie } : {}) },
        ...(init.json ? { body: JSON.stringify(init.json) } : {}),
      }),
      params: init.params ?? {},
      url: new URL(`${SITE}${path}`),
      clientAddress: '192.0.2.1',
      locals: { services },
    });

  it('strips invisible and bidi-control characters from display names, keeping emoji sequences', () => {
    expect(sanitizeDisplayName('ad\u200Bmin')).toBe('admin');
    expect(sanitizeDisplayName('\u202Egnp.exe\u202C')).toBe('gnp.exe');
    expect(sanitizeDisplayName('\u2066画家\u2069\u200E')).toBe('画家');
    expect(sanitizeDisplayName(' 林\u3000\u3000华 \n\uFEFF')).toBe('林 华');
    expect(sanitizeDisplayName('\u3164\u115F\u00AD')).toBe('');
    expect(sanitizeDisplayName('👩\u200D🎨 画师')).toBe('👩\u200D🎨 画师');
  });

  it('applies it at every entry: registration, Google login and the store itself', async () => {
    const response = await call(register, 'POST', '/api/auth/register', { json: { username: 'Bidi_User', password: 'pass-word-1', name: '\u202Eevil\u200B name' } });
    expect(response.status).toBe(201);
    expect((await response.json()).user.name).toBe('evil name');
    const invisible = await call(register, 'POST', '/api/auth/register', { json: { username: 'blank_name', password: 'pass-word-1', name: '\u3164\u200B' } });
    expect(invisible.status).toBe(400); // nothing visible left: the usual "name required" refusal
    const google = await upsertGoogleUser(services.store, { sub: 'g-1', name: 'Jane\u2067 Doe', email: 'jane.doe@example.com', emailVerified: true, picture: null });
    expect(google.name).toBe('Jane Doe');
    const direct = await services.store.users.create({ username: 'direct', name: 'x\u200Dy\u202E' });
    expect(direct.name).toBe('xy');
    const author = await services.store.authors.upsert({ source: 'liblib', externalId: 'a-1', name: '\u2067作者\u2069' });
    expect(author.name).toBe('作者');
  });

  it("shows an ingested author's stored avatar, never the upstream's URL (which would tell the upstream who looks)", async () => {
    const upstream = 'https://liblibai-online.liblib.cloud/img/a-2/face.png';
    const author = await services.store.authors.upsert({ source: 'liblib', externalId: 'a-2', name: '画师', avatarUrl: upstream });
    const work = await services.store.works.upsert({ source: 'liblib', externalId: 'w-a2', slug: 'w-a2', status: 'published', publishedAt: new Date(), authorId: author.id });
    const avatarOf = async () => (await (await call(artwork, 'GET', `/api/artworks/${work.id}`, { params: { id: String(work.id) } })).json()).author.avatar_url;
    expect(await avatarOf()).toBeNull(); // not downloaded (yet, or dead upstream): the page draws the initial
    await services.store.authors.setAvatar(author.id, { from: upstream, key: 'avatars/liblib/0123456789abcdef.png', width: 64, height: 64, thumbnails: [] });
    expect(await avatarOf()).toBe(services.blobs.publicUrl('avatars/liblib/0123456789abcdef.png'));
  });

  it('gives Google accounts a random handle, never the email address', async () => {
    const user = await upsertGoogleUser(services.store, { sub: 'g-2', name: '王小明', email: 'wang.xiaoming@example.com', emailVerified: true, picture: null });
    expect(user.username).toMatch(/^user_[a-z2-9]{6}$/);
    expect(user.username).not.toContain('wang');
    expect(googleUsername('Jane Doe')).toMatch(/^jane_doe_[a-z2-9]{6}$/);
    expect(googleUsername('Jane Doe')).not.toBe(googleUsername('Jane Doe'));
  });

  it('addresses users by handle in the API; no numeric user id leaves the server', async () => {
    const owner = await services.store.users.create({ username: 'handle_owner', name: '画家' });
    const work = await services.store.works.upsert({ source: 'community', externalId: 'w-1', slug: 'w-1', status: 'published', publishedAt: new Date(), ownerUserId: owner.id });
    const { token } = await services.sessions.create(owner.id);
    const cookie = `huaku_session=${token}`;

    const byHandle = await call(userArtworks, 'GET', '/api/users/handle_owner/artworks', { params: { username: 'Handle_Owner' } });
    expect(byHandle.status).toBe(200);
    const listing = await byHandle.json();
    expect(listing.user).toEqual({ username: 'handle_owner', name: '画家', avatar_url: null });
    expect(listing.items.map((item: { id: number }) => item.id)).toEqual([work.id]);
    expect(listing.items[0].author).toMatchObject({ id: 'user:handle_owner', kind: 'user', username: 'handle_owner' });
    // The numeric id is not a way in.
    const byId = await call(userArtworks, 'GET', `/api/users/${owner.id}/artworks`, { params: { username: String(owner.id) } });
    expect(byId.status).toBe(404);

    const own = await (await call(me, 'GET', '/api/auth/me', { cookie })).json();
    for (const body of [listing, own]) {
      const userIds: unknown[] = [];
      JSON.stringify(body, (key, value) => {
        if (/user_?id$/i.test(key) || (key === 'user' && value && 'id' in value) || (key === 'author' && value && typeof value.id === 'number')) userIds.push(value);
        return value;
      });
      expect(userIds, JSON.stringify(body)).toEqual([]);
      expect(JSON.stringify(body)).not.toContain(`user:${owner.id}`);
    }
  });
});
