// "导出参数为 JSON": the edited parameters packed as a generation request in the shape of seed 001 §9.5
// (`POST /api/v1/generate`: model_id, task, params), so the file can be posted to a worker unchanged.
import type { EditedParams } from './param-validation.ts';

export interface ExportedLora {
  id: string;
  /** `owner/name` on ModelScope: the model id an inference API takes. */
  externalId: string;
  task: string | null;
  /** The base models the LoRA was trained for (SDXL 1.0, FLUX.1…), the first the main one. */
  baseModels: readonly string[];
  triggerWords: readonly string[];
  pageUrl: string | null;
}

export interface GenerationRequest {
  model_id: string;
  task: string | null;
  /** The checkpoint family the LoRA needs (its first base model): a worker loads it under the LoRA. */
  base_model: string | null;
  params: {
    lora_weight: number;
    sampler: string;
    steps: number;
    cfg_scale: number;
    width: number;
    height: number;
  };
  trigger_words: string[];
  source: { site: 'huaku'; lora_id: string; page_url: string | null };
}

export function generationRequest(lora: ExportedLora, params: EditedParams): GenerationRequest {
  return {
    model_id: lora.externalId,
    task: lora.task,
    base_model: lora.baseModels[0] ?? null,
    params: {
      lora_weight: params.weight,
      sampler: params.sampler,
      steps: params.steps,
      cfg_scale: params.cfgScale,
      width: params.width,
      height: params.height,
    },
    trigger_words: [...lora.triggerWords],
    source: { site: 'huaku', lora_id: lora.id, page_url: lora.pageUrl },
  };
}

/** The request as the file's text: indented, with a final newline. */
export function requestJson(request: GenerationRequest): string {
  return `${JSON.stringify(request, null, 2)}\n`;
}

/** `owner-name.params.json`: a file name that is safe on every OS. */
export function exportFileName(lora: Pick<ExportedLora, 'externalId'>): string {
  const base = lora.externalId.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'lora';
  return `${base}.params.json`;
}
