// Pure functions from a raw `dolphin/models` response to Top-LoRAs records (the cache file's `results`).
// A drifted envelope throws a ContractError naming the JSON path; a malformed item is skipped and reported
// with its paths. Records never carry `AigcAttributes` or any other raw blob: they are built field by
// field, never copied from the item.
import { contractIssues, parseSourceContract } from '../contract.ts';
import type { ContractIssue } from '../../../src/core/errors.ts';
import { envelopeSchema, modelFilesSchema, modelItemSchema, modelsDataSchema, type RawModelItem } from './schemas.ts';

const SOURCE = 'modelscope';
const MODELS_ENDPOINT = 'dolphin/models';
const MODELSCOPE_WEB = 'https://www.modelscope.cn';
/** The SDK's "unauthorized" code (docs/upstream.md §2.1). */
const UNAUTHORIZED_CODE = 10010101004;

/** One LoRA as the cache file stores it (snake_case: the seed's data contract; see README "Top-LoRAs cache"). */
export interface TopLora {
  /** `owner/name`, the ModelScope model id. */
  id: string;
  title_cn: string;
  title_en: string;
  cover_url: string | null;
  /** The downloaded cover, relative to the directory the command ran in; null when none could be saved. */
  cover_local: string | null;
  downloads: number;
  modelscope_url: string;
  /** ISO 8601 UTC. */
  updated_at: string | null;
  author: string | null;
  avatar: string | null;
  user_name: string | null;
  likes: number;
  license: string | null;
  tags_cn: string[];
  tags_en: string[];
  base_models: string[];
  trigger_words: string[];
  vision_foundation: string | null;
  task: string;
  /** ModelScope marks it as runnable online (API-Inference or its own inference widget): the Generate step's hint. */
  supports_inference: boolean;
  /** The weight files with their SHA-256 (links works that name a LoRA by file hash). */
  model_files: Array<{ name: string; sha256: string | null; size: number | null }>;
}

export interface SkippedItem {
  /** Position in `Data.Model.Models`. */
  index: number;
  /** `owner/name` when the item got that far. */
  id: string | null;
  /** `malformed`: missing fields or wrong types; `not-lora`: a checkpoint the `tags` filter let through. */
  reason: 'malformed' | 'not-lora';
  issues: ContractIssue[];
}

export type ModelsPage =
  | { ok: true; records: TopLora[]; skipped: SkippedItem[]; itemCount: number; totalCount: number | null }
  | { ok: false; code: number; message: string; unauthorized: boolean };

/** Timestamps: seconds at the top level, milliseconds inside MuseInfo; a value too large for seconds is taken as ms. */
export function epochToIso(value: number | null | undefined, unit: 's' | 'ms'): string | null {
  if (value === null || value === undefined || !Number.isFinite(value) || value <= 0) return null;
  const ms = unit === 'ms' || value > 100_000_000_000 ? value : value * 1000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const isHttpUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/\S+$/i.test(value.trim());

/** The first cover: `MuseInfo.versions[].coverImages[].url`, then the top-level `CoverImages[]` (URL strings or `{url}`). */
export function coverUrlOf(item: RawModelItem): string | null {
  for (const version of item.MuseInfo?.versions ?? []) {
    for (const image of version.coverImages ?? []) if (isHttpUrl(image.url)) return image.url.trim();
  }
  for (const entry of item.CoverImages ?? []) {
    const url = typeof entry === 'object' && entry !== null ? ((entry as Record<string, unknown>).url ?? (entry as Record<string, unknown>).Url) : entry;
    if (isHttpUrl(url)) return url.trim();
  }
  return null;
}

/** `TriggerWords`, else the first version's `modelVersion.triggerWords` (a JSON string). */
function triggerWordsOf(item: RawModelItem): string[] {
  if (item.TriggerWords && item.TriggerWords.length > 0) return item.TriggerWords;
  for (const version of item.MuseInfo?.versions ?? []) {
    const raw = version.modelVersion?.triggerWords;
    if (!raw) continue;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed.filter((w): w is string => typeof w === 'string');
    } catch {
      // not JSON: no trigger words from here
    }
  }
  return item.TriggerWords ?? [];
}

function modelFilesOf(item: RawModelItem): TopLora['model_files'] {
  const files: TopLora['model_files'] = [];
  for (const info of Object.values(item.ModelInfos ?? {})) {
    const parsed = modelFilesSchema.safeParse((info as { files?: unknown } | null)?.files);
    if (!parsed.success) continue;
    for (const file of parsed.data) files.push({ name: file.name, sha256: file.sha256?.toLowerCase() ?? null, size: file.size ?? null });
  }
  return files;
}

const unique = (values: Array<string | null | undefined>): string[] => [...new Set(values.map((v) => v?.trim()).filter((v): v is string => Boolean(v)))];

/** Our page for a model (`owner/name`, each segment escaped). */
function modelPageUrl(id: string): string {
  return `${MODELSCOPE_WEB}/models/${id.split('/').map(encodeURIComponent).join('/')}`;
}

/** One validated item → our record. Pure: `task` is the task the list was asked for. */
function toTopLora(item: RawModelItem, task: string): TopLora {
  const id = `${item.Path.trim()}/${item.Name.trim()}`;
  const muse = item.MuseInfo?.model ?? null;
  const org = item.Organization?.Id ? item.Organization : null;
  const officialTags = item.OfficialTags ?? [];
  return {
    id,
    title_cn: item.ChineseName?.trim() || muse?.showName?.trim() || item.Name.trim(),
    title_en: item.Name.trim(),
    cover_url: coverUrlOf(item),
    cover_local: null,
    downloads: Math.floor(item.Downloads),
    modelscope_url: modelPageUrl(id),
    updated_at: epochToIso(item.LastUpdatedTime, 's') ?? epochToIso(muse?.gmtModified, 'ms') ?? epochToIso(item.CreatedTime, 's'),
    author: item.CreatedBy?.trim() || item.Path.trim(),
    avatar: (org?.Avatar ?? item.Avatar)?.trim() || null,
    user_name: org?.FullName?.trim() || item.NickName?.trim() || muse?.operatorName?.trim() || item.CreatedBy?.trim() || null,
    likes: Math.floor(item.Stars ?? muse?.favoriteCount ?? 0),
    license: item.License?.trim() || null,
    tags_cn: unique(officialTags.map((t) => t.ChineseName)),
    // `Tags` is ["LoRA"] on every item of a LoRA list: not a useful filter, left out.
    tags_en: unique([...officialTags.map((t) => t.Name), ...(item.Tags ?? []).filter((t) => t.trim().toLowerCase() !== 'lora')]),
    base_models: unique(item.BaseModel ?? []),
    trigger_words: unique(triggerWordsOf(item)),
    vision_foundation: item.VisionFoundation?.trim() || muse?.stableDiffusionVersion?.trim() || null,
    task,
    supports_inference: item.SupportApiInference === true || Boolean(item.SupportInference?.trim()),
    model_files: modelFilesOf(item),
  };
}

/** Why an item is not a LoRA we list, or null: checkpoints that slip through the `tags` filter are left out. */
function notALora(item: RawModelItem): string | null {
  const type = (item.AigcType ?? item.MuseInfo?.model?.modelType ?? '').trim();
  return type !== '' && type.toLowerCase() !== 'lora' ? `AigcType is "${type}", not a LoRA` : null;
}

/**
 * A whole `dolphin/models` response → records, in response order, with malformed items skipped and counted.
 * Throws ContractError when the envelope itself has drifted. `{ok: false}` when the upstream refused.
 */
export function normalizeModelsPage(payload: unknown, task: string): ModelsPage {
  const envelope = parseSourceContract(SOURCE, envelopeSchema, payload, MODELS_ENDPOINT);
  if (envelope.Code !== 200 || !envelope.Success) {
    const message = envelope.Message?.trim() || `Code ${envelope.Code}`;
    const unauthorized = envelope.Code === UNAUTHORIZED_CODE || /unauthori[sz]ed|未登录|login/i.test(message);
    return { ok: false, code: envelope.Code, message, unauthorized };
  }
  const data = parseSourceContract(SOURCE, modelsDataSchema, envelope.Data, MODELS_ENDPOINT, ['Data']);
  const records: TopLora[] = [];
  const skipped: SkippedItem[] = [];
  data.Model.Models.forEach((raw, index) => {
    const path = ['Data', 'Model', 'Models', index];
    const parsed = modelItemSchema.safeParse(raw);
    const rawId = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const id = typeof rawId.Path === 'string' && typeof rawId.Name === 'string' ? `${rawId.Path}/${rawId.Name}` : null;
    if (!parsed.success) {
      skipped.push({ index, id, reason: 'malformed', issues: contractIssues(parsed.error, path) });
      return;
    }
    const reason = notALora(parsed.data);
    if (reason) {
      skipped.push({ index, id, reason: 'not-lora', issues: [{ path: `Data.Model.Models[${index}].AigcType`, message: reason }] });
      return;
    }
    records.push(toTopLora(parsed.data, task));
  });
  return { ok: true, records, skipped, itemCount: data.Model.Models.length, totalCount: data.Model.TotalCount ?? null };
}
