// Where a downloaded image goes under the output folder: a template such as `{model_id}/{id}` or a preset
// name. The last segment is the file name without its extension (the extension comes from the bytes).
//
// Decisions:
// - Placeholders: {model_id} {model_name} {version_id} {id} (alias {image_id}, as in the seed's presets)
//   {creator} {nsfw_level} {hash}. {hash} is the first 16 hex digits of the content's SHA-256 (the
//   {hash} of blob keys), so a template using it is rendered after the download.
// - Every value is made one safe path segment by media-key's sanitizeKeySegment: no `/` or `\`, no `..`,
//   no characters reserved on Windows or in URLs, at most 100 UTF-8 bytes; Chinese and other Unicode stay.
//   Windows device names (CON, NUL, COM1…) get a leading `_`.
// - A value that is missing, or empty once sanitised (e.g. `../`), becomes a visible placeholder such as
//   `unknown-creator`, never `undefined` or an empty segment.
// - The template's own text must be safe too (checked when it is compiled, before any download), and it
//   must name the image ({id}, {image_id} or {hash}), or two images would share one file.
import path from 'node:path';
import { UserFacingError } from '../../../src/core/errors.ts';
import { KEY_HASH_LENGTH, sanitizeKeySegment } from '../../../src/core/media/media-key.ts';
import { compileTemplate, placeholderList, renderTemplate, type TemplatePart } from '../../../src/core/media/placeholder-template.ts';

const PATH_PLACEHOLDERS = ['model_id', 'model_name', 'version_id', 'id', 'image_id', 'creator', 'nsfw_level', 'hash'] as const;
export type PathPlaceholder = (typeof PATH_PLACEHOLDERS)[number];

/** The seed's presets (by model, by creator, by NSFW level), plus a readable by-model-name layout. */
export const PATH_TEMPLATE_PRESETS = {
  'by-model': '{model_id}/{image_id}',
  'by-creator': '{creator}/{image_id}',
  'by-nsfw': '{nsfw_level}/{image_id}',
  'by-model-name': '{model_name}/{version_id}/{image_id}',
} as const;

/** The seed's default `images.path_template`. */
export const DEFAULT_PATH_TEMPLATE = '{model_id}/{id}';

/** What is written for a value the image does not have. */
export const MISSING_VALUES: Record<PathPlaceholder, string> = {
  model_id: 'no-model',
  model_name: 'no-model',
  version_id: 'no-version',
  id: 'no-id',
  image_id: 'no-id',
  creator: 'unknown-creator',
  nsfw_level: 'unknown-nsfw',
  hash: 'no-hash',
};

export type PathValues = Partial<Record<Exclude<PathPlaceholder, 'image_id' | 'hash'>, string | number | null | undefined>> & {
  /** Full lowercase hex SHA-256 of the content, when known. */
  contentHash?: string | null;
};

/** A rendered location, relative to the output folder. */
export interface RenderedPath {
  /** Directory segments joined with `/` ('' for the output folder itself). */
  dir: string;
  /** The file name without extension. */
  name: string;
  /** `dir/name`. */
  stem: string;
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
const HINT =
  `Placeholders: ${placeholderList(PATH_PLACEHOLDERS)}; presets: ` +
  Object.entries(PATH_TEMPLATE_PRESETS).map(([name, t]) => `${name} (${t})`).join(', ');

/** One safe path segment, or '' when nothing safe is left. */
function safeSegment(value: string): string {
  const segment = sanitizeKeySegment(value);
  return WINDOWS_DEVICE.test(segment) ? `_${segment}` : segment;
}

export class PathTemplate {
  readonly template: string;
  readonly usesHash: boolean;
  readonly placeholders: ReadonlySet<PathPlaceholder>;
  readonly #segments: TemplatePart<PathPlaceholder>[][];

  /** A template, or the name of a preset. Throws UserFacingError when it is unusable. */
  constructor(templateOrPreset: string) {
    const template = (PATH_TEMPLATE_PRESETS as Record<string, string>)[templateOrPreset] ?? templateOrPreset;
    this.template = template;
    const fail = (reason: string) => new UserFacingError(`invalid path template ${JSON.stringify(templateOrPreset)}: ${reason}`, { hint: HINT });
    if (template.trim() === '') throw fail('it is empty');
    if (template.startsWith('/') || template.startsWith('\\') || /^[a-z]:/i.test(template)) throw fail('it must be relative to the output folder');
    const used = new Set<PathPlaceholder>();
    this.#segments = template.split('/').map((segment) => {
      if (segment === '') throw fail('it has an empty segment ("//" or a trailing "/")');
      const { parts, used: inSegment } = compileTemplate(segment, PATH_PLACEHOLDERS, fail);
      for (const name of inSegment) used.add(name);
      for (const part of parts) {
        if (!('text' in part)) continue;
        if (safeSegment(part.text) !== part.text.replace(/^[.-]+|[.-]+$/g, '') || part.text === '.' || part.text === '..') {
          throw fail(`the text ${JSON.stringify(part.text)} is not safe in a path (no "..", "\\" or reserved characters)`);
        }
      }
      return parts;
    });
    if (!used.has('id') && !used.has('image_id') && !used.has('hash')) {
      throw fail('it does not name the image: use {id} (or {image_id}, or {hash}), or every image would go to the same file');
    }
    this.placeholders = used;
    this.usesHash = used.has('hash');
  }

  /** The location of one image. {hash} needs `values.contentHash`; without it, it renders `no-hash`. */
  render(values: PathValues): RenderedPath {
    const segments = this.#segments.map((parts) => {
      const text = renderTemplate(parts, (placeholder) => this.#value(placeholder, values));
      // Literal text next to placeholders can still end with a dot or start with a dash: clean the whole.
      return safeSegment(text) || 'unnamed';
    });
    const name = segments.pop()!;
    const dir = segments.join('/');
    return { dir, name, stem: dir ? `${dir}/${name}` : name };
  }

  #value(placeholder: PathPlaceholder, values: PathValues): string {
    let raw: string | number | null | undefined;
    if (placeholder === 'hash') raw = values.contentHash ? values.contentHash.slice(0, KEY_HASH_LENGTH) : null;
    else raw = values[placeholder === 'image_id' ? 'id' : placeholder];
    const text = raw === null || raw === undefined ? '' : safeSegment(String(raw));
    return text || MISSING_VALUES[placeholder];
  }
}

/** `root/stem` as an absolute path, refusing anything that would leave `root` (defence in depth). */
export function resolveInside(root: string, relative: string): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...relative.split('/'));
  if (full !== base && !full.startsWith(base + path.sep)) throw new UserFacingError(`refusing to write outside ${base}: ${relative}`);
  return full;
}
