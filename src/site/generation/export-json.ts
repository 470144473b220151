// 导出 JSON: a job's parameters in the request shape of seed 001 §9.5 (`model_id`, `task`, `params`), so the
// file can be posted to `POST /api/v1/generate` (which takes this shape too) or to another worker unchanged.
import type { RequestBody } from './form-values.ts';

export interface ExportedRequest {
  model_id: string;
  task: string;
  params: {
    prompt: string;
    negative_prompt: string;
    sampler: string;
    steps: number;
    cfg_scale: number;
    width: number;
    height: number;
    seed: number;
    batch: number;
    loras: Array<{ id: string; name?: string; weight: number }>;
  };
}

export function exportRequest(body: RequestBody): ExportedRequest {
  return {
    model_id: body.checkpoint.id,
    task: body.task,
    params: {
      prompt: body.prompt,
      negative_prompt: body.negativePrompt,
      sampler: body.sampler,
      steps: body.steps,
      cfg_scale: body.cfgScale,
      width: body.width,
      height: body.height,
      seed: body.seed,
      batch: body.batch,
      loras: body.loras.map((l) => ({ id: l.id, ...(l.name ? { name: l.name } : {}), weight: l.weight })),
    },
  };
}

export function exportText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A file name safe on every OS, from a job id or a title. */
export function safeFileName(base: string, extension: string): string {
  const clean = base.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'huaku';
  return `${clean}.${extension}`;
}
