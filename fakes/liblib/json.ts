// JSON text with int64 ids written the way Liblib writes them: bare numbers, digits exact.
// Values of type bigint are emitted as bare JSON numbers (e.g. 1951175521614138640), which a plain
// JSON.parse would round. Everything else is ordinary JSON.stringify.

const MARK = '\u0000big:';
const MARKED = /"\\u0000big:(-?\d+)"/g;

/** JSON.stringify that writes bigint values as bare numbers. */
export function stringifyJson(value: unknown, space?: number): string {
  const text: string | undefined = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? `${MARK}${v.toString()}` : v),
    space,
  );
  return (text ?? 'null').replace(MARKED, '$1');
}
