import { describe, expect, it } from 'vitest';
import { compileTemplate, placeholderList, renderTemplate } from './placeholder-template.ts';

const KNOWN = ['slug', 'hash', 'ext'] as const;
const fail = (reason: string) => new Error(reason);

describe('compileTemplate', () => {
  it('splits text and placeholders, remembers which are used, and renders them back', () => {
    const { parts, used } = compileTemplate('a/{slug}_{hash}.{ext}', KNOWN, fail);
    expect(parts).toEqual([{ text: 'a/' }, { placeholder: 'slug' }, { text: '_' }, { placeholder: 'hash' }, { text: '.' }, { placeholder: 'ext' }]);
    expect([...used]).toEqual(['slug', 'hash', 'ext']);
    expect(renderTemplate(parts, (name) => name.toUpperCase())).toBe('a/SLUG_HASH.EXT');
  });

  it('reports unknown placeholders and stray braces through the caller\'s error', () => {
    expect(() => compileTemplate('{slug}/{nope}', KNOWN, fail)).toThrow('unknown placeholder {nope}');
    expect(() => compileTemplate('{slug}}', KNOWN, fail)).toThrow('unbalanced "{" or "}"');
    expect(() => compileTemplate('{{slug}', KNOWN, fail)).toThrow('unbalanced "{" or "}"');
  });

  it('lists placeholders for hints', () => {
    expect(placeholderList(KNOWN)).toBe('{slug} {hash} {ext}');
  });
});
