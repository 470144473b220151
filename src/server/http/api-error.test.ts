import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  TooLargeError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedFormatError,
} from '../../core/errors.ts';
import { apiErrorFrom, refusalResponse } from './api-error.ts';

describe('domain errors → API answers', () => {
  it('chooses the status from the kind of refusal and keeps the code and message', async () => {
    const cases: Array<[Error, number, string]> = [
      [new InvalidInputError('分页参数无效', { code: 'invalid_cursor' }), 400, 'invalid_cursor'],
      [new TooLargeError('文件超过 1 MB 上限', { code: 'file_too_large' }), 413, 'file_too_large'],
      [new UnsupportedFormatError('暂不支持上传视频', { code: 'video_unsupported' }), 415, 'video_unsupported'],
      [new NotFoundError('作品不存在', { code: 'not_found' }), 404, 'not_found'],
      [new UnauthenticatedError('用户名或密码错误', { code: 'invalid_credentials' }), 401, 'invalid_credentials'],
      [new ForbiddenError('只有作者可以发布这件作品'), 403, 'forbidden'],
      [new ConflictError('用户名已被占用', { code: 'username_taken' }), 409, 'username_taken'],
      [new UnavailableError('本站未启用 Google 登录', { code: 'google_disabled' }), 503, 'google_disabled'],
    ];
    for (const [error, status, code] of cases) {
      const answer = apiErrorFrom(error)!;
      expect({ status: answer.status, code: answer.code, message: answer.message }).toEqual({ status, code, message: error.message });
      const response = answer.toResponse();
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ error: { code, message: error.message } });
    }
  });

  it('answers 429 with Retry-After in whole seconds', () => {
    const answer = apiErrorFrom(new RateLimitedError('操作太频繁，请 3 秒后再试', 2100))!;
    expect([answer.status, answer.code, answer.headers['Retry-After']]).toEqual([429, 'rate_limited', '3']);
  });

  it('names the first invalid field of a zod error', () => {
    const parsed = z.object({ name: z.string().min(1, '昵称不能为空') }).safeParse({ name: '' });
    const answer = apiErrorFrom(parsed.error)!;
    expect([answer.status, answer.code, answer.message]).toEqual([400, 'invalid_input', 'name: 昵称不能为空']);
  });

  it('leaves internal errors (no code) and bugs to the 500 path', () => {
    expect(apiErrorFrom(new InvalidInputError('invalid blob key "../x": it escapes the root'))).toBeNull();
    expect(apiErrorFrom(new NotFoundError('no such row'))).toBeNull();
    expect(apiErrorFrom(new TypeError('x is undefined'))).toBeNull();
  });

  it('answers routes outside apiRoute (/media) the same way', async () => {
    const missing = refusalResponse(new NotFoundError('文件不存在', { code: 'not_found' }));
    expect([missing.status, missing.headers.get('cache-control')]).toEqual([404, 'no-store']);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: '文件不存在' } });
    expect(refusalResponse(new InvalidInputError('invalid blob key', { code: 'invalid_key' })).status).toBe(400);
    expect(() => refusalResponse(new NotFoundError('no such row'))).toThrow(/no code/);
  });
});
