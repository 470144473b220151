// HTML as strings, escaped exactly as Astro's renderer escapes it, for the markup the build repeats
// thousands of times (work cards, avatars, badges): an Astro component instance costs far more than the
// string it renders (a 10k-work build renders ~100k cards), so those pieces are built here and inserted
// with set:html. The output must stay byte-for-byte what the components rendered.

const TEXT_ESCAPABLE = /[&<>'"]/;
const TEXT_ESCAPES = /[&<>'"]/g;
const TEXT_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' };

/** Text content, as Astro escapes a `{value}` child: & < > ' ". */
export function escapeText(value: string): string {
  return TEXT_ESCAPABLE.test(value) ? value.replace(TEXT_ESCAPES, (char) => TEXT_ENTITIES[char]!) : value;
}

/**
 * One attribute, as Astro renders `name={value}`: nothing for null/undefined/false, the bare name for
 * true or '' (HTML's boolean form: pass true only for boolean attributes such as hidden), else the value with & and " escaped (Astro's attribute escaping).
 */
export function attr(name: string, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === false) return '';
  if (value === true || value === '') return ` ${name}`;
  const text = String(value);
  return ` ${name}="${text.includes('&') || text.includes('"') ? text.replace(/&/g, '&amp;').replace(/"/g, '&quot;') : text}"`;
}
