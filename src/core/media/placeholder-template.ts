// The one compiler of `{placeholder}` templates: blob keys (media-key.ts) and the Civitai folder layout
// (ingest/sources/civitai/path-template.ts) both split their template here and render the parts it returns.
// What a placeholder's value is, and which extra rules a template must follow, stay with each user.

export type TemplatePart<P extends string> = { text: string } | { placeholder: P };

export interface CompiledTemplate<P extends string> {
  /** Literal text and placeholders, in order. */
  parts: TemplatePart<P>[];
  /** The placeholders the template uses. */
  used: Set<P>;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Split `text` into literal parts and known placeholders. An unknown placeholder or a stray `{`/`}` is
 * reported through `fail` (which builds the caller's own configuration error).
 */
export function compileTemplate<P extends string>(
  text: string,
  known: readonly P[],
  fail: (reason: string) => Error,
): CompiledTemplate<P> {
  const names: ReadonlySet<string> = new Set(known);
  const parts: TemplatePart<P>[] = [];
  const used = new Set<P>();
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!names.has(name)) throw fail(`unknown placeholder {${name}}`);
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ placeholder: name as P });
    used.add(name as P);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  if (parts.some((part) => 'text' in part && /[{}]/.test(part.text))) throw fail('unbalanced "{" or "}"');
  return { parts, used };
}

/** The text of compiled parts, each placeholder replaced by `value(placeholder)`. */
export function renderTemplate<P extends string>(parts: readonly TemplatePart<P>[], value: (placeholder: P) => string): string {
  return parts.map((part) => ('text' in part ? part.text : value(part.placeholder))).join('');
}

/** `{a} {b} {c}`: the placeholders for a hint. */
export function placeholderList(names: readonly string[]): string {
  return names.map((name) => `{${name}}`).join(' ');
}
