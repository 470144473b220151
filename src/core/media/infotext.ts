// The A1111 "infotext" (the `parameters` text people paste into their tools): the prompt, a line
// `Negative prompt: …`, then one line of `Key: value` pairs. One writer for every producer: the Civitai
// downloader's .txt sidecars and the generation outputs' PNG chunk.

export type InfotextValue = string | number | null | undefined;

/** A1111's quoting of a value: as is, unless it holds a comma, colon, quote or newline. */
function quote(value: string): string {
  return /[,:\n"]/.test(value) ? JSON.stringify(value) : value;
}

/** Unknown values (null, undefined, '') are left out, never written as "null". */
export function formatInfotext(prompt: string | null | undefined, negativePrompt: string | null | undefined, fields: ReadonlyArray<readonly [string, InfotextValue]>): string {
  const lines: string[] = [];
  if (prompt) lines.push(prompt);
  if (negativePrompt) lines.push(`Negative prompt: ${negativePrompt}`);
  const line = fields
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${quote(String(v))}`)
    .join(', ');
  if (line) lines.push(line);
  return lines.join('\n');
}
