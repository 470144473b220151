import { describe, expect, it } from 'vitest';
import { ContractError } from '../../src/core/errors.ts';
import {
  HttpStatusError,
  NetworkError,
  ResponseFormatError,
  TimeoutError,
  classifyTransportError,
  errorKindOf,
  redactUrl,
} from './errors.ts';

const info = { method: 'GET', url: 'https://api.example/x', attempt: 3 };

describe('http errors', () => {
  it('carry kind, retryability and a clear message', () => {
    const notFound = new HttpStatusError(404, info, { bodyExcerpt: '{"error":"No model with id 0"}' });
    expect(notFound.kind).toBe('http');
    expect(notFound.retryable).toBe(false);
    expect(notFound.message).toBe('HTTP 404: {"error":"No model with id 0"} (GET https://api.example/x, attempt 3)');
    expect(new HttpStatusError(502, info).retryable).toBe(true);
    expect(new HttpStatusError(501, info).retryable).toBe(false);
    expect(new HttpStatusError(429, info).retryable).toBe(true);
    expect(new ResponseFormatError(200, info, { contentType: 'text/html' }).retryable).toBe(true);
  });

  it('errorKindOf classifies everything for the ledger', () => {
    expect(errorKindOf(new HttpStatusError(500, info))).toBe('http');
    expect(errorKindOf(new ResponseFormatError(200, info, {}))).toBe('http');
    expect(errorKindOf(new NetworkError(info, new Error('x'), 'ECONNRESET'))).toBe('network');
    expect(errorKindOf(new TimeoutError('headers', info))).toBe('timeout');
    expect(errorKindOf(new ContractError('liblib', 'list', [{ path: 'data', message: 'Required' }]))).toBe('contract');
    expect(errorKindOf(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('network');
    expect(errorKindOf(Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' }))).toBe('timeout');
    expect(errorKindOf(Object.assign(new Error('bad image'), { kind: 'media' }))).toBe('media');
    expect(errorKindOf(new TypeError('undefined is not a function'))).toBe('internal');
    expect(errorKindOf('weird')).toBe('internal');
  });

  it('classifyTransportError maps undici/system codes, including inside AggregateError', () => {
    const dns = new AggregateError([Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })]);
    expect(classifyTransportError(dns, info)).toBeInstanceOf(NetworkError);
    const connect = classifyTransportError(Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), info);
    expect(connect).toBeInstanceOf(TimeoutError);
    expect((connect as TimeoutError).phase).toBe('connect');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(classifyTransportError(abort, info)).toBe(abort);
  });

  it('redactUrl hides tokens', () => {
    expect(redactUrl('https://civitai.com/api/download/models/1?token=abc&type=Model')).toBe(
      'https://civitai.com/api/download/models/1?token=REDACTED&type=Model',
    );
    expect(redactUrl('https://x.example/a?b=1')).toBe('https://x.example/a?b=1');
  });
});
