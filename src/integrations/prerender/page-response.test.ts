import { describe, expect, it } from 'vitest';
import { pageResponses } from './page-response.ts';

describe('pageResponses', () => {
  it('keeps a page\'s bytes as they are (the same array, not a copy) with the status and headers', () => {
    const { PageResponse, keptBytes } = pageResponses();
    const bytes = new TextEncoder().encode('<!doctype html><p>画库</p>');
    const response = new PageResponse(bytes, { status: 404, headers: { 'content-type': 'text/html' } });
    expect(keptBytes(response)).toBe(bytes);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response).toBeInstanceOf(Response);
  });

  it('answers its body as a stream of the kept bytes (Astro checks body === null on a 404 page)', async () => {
    const { PageResponse } = pageResponses();
    const bytes = new Uint8Array([60, 112, 62]);
    const response = new PageResponse(bytes, { status: 404 });
    expect(response.body).not.toBeNull();
    expect(response.body).toBe(response.body);
    const { value, done } = await response.body!.getReader().read();
    expect(done).toBe(false);
    expect(value).toEqual(bytes);
  });

  it('refuses to read a kept response through undici, naming why, instead of answering an empty page', async () => {
    const { PageResponse } = pageResponses();
    const response = new PageResponse(new Uint8Array([60, 112, 62]));
    await expect(async () => response.text()).rejects.toThrow(/keeps only its bytes.*page-response\.ts/);
    await expect(async () => response.arrayBuffer()).rejects.toThrow(/arrayBuffer\(\)/);
    expect(() => response.clone()).toThrow(/clone\(\)/);
  });

  it('leaves every other response as undici makes it', async () => {
    const { PageResponse, keptBytes } = pageResponses();
    const text = new PageResponse('User-agent: *', { headers: { 'content-type': 'text/plain' } });
    expect(keptBytes(text)).toBeUndefined();
    expect(await text.text()).toBe('User-agent: *');
    const empty = new PageResponse(null);
    expect(empty.body).toBeNull();
    // A status that may not have a body still refuses bytes, as before.
    expect(() => new PageResponse(new Uint8Array([1]), { status: 204 })).toThrow(TypeError);
  });
});
