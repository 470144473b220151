import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from './api-error.ts';
import { readJson } from './route.ts';

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/x', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('readJson body limit', () => {
  it('names the real limit: 64 KB for JSON bodies, not a rounded-up megabyte', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(70 * 1024) });
    const declared = await refusal(readJson(post(big), z.object({ text: z.string() })));
    expect([declared.status, declared.code, declared.message]).toEqual([413, 'payload_too_large', '请求体超过 64 KB 上限']);
    // Without a Content-Length the stream is cut at the limit with the same answer.
    const streamed = new Request('http://localhost/api/x', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect((await refusal(readJson(streamed, z.unknown()))).message).toBe('请求体超过 64 KB 上限');
  });

  it('says megabytes for a larger limit, and reads a body under it', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024) });
    expect((await refusal(readJson(post(big), z.unknown(), { maxBytes: 2 * 1024 * 1024 }))).message).toBe('请求体超过 2 MB 上限');
    expect(await readJson(post('{"a":1}'), z.object({ a: z.number() }))).toEqual({ a: 1 });
  });
});
