// The request as `POST /api/v1/generate` takes it, in the shape of seed 001 §9.5 (`model_id`, `task`,
// `params`): what the form submits and what 导出 JSON writes, so an exported file can be posted unchanged.
import type { RequestBody } from './form-values.ts';

export interface SubmitBody {
  model_id: string;
  task: string;
  params: Omit<RequestBody, 'task' | 'checkpoint'> & { checkpoint: { name: string; baseModel?: string } };
  output_dir?: string;
}

export function submitBody(body: RequestBody): SubmitBody {
  const { task, checkpoint, ...rest } = body;
  return {
    model_id: checkpoint.id,
    task,
    params: { checkpoint: { name: checkpoint.name, ...(checkpoint.baseModel ? { baseModel: checkpoint.baseModel } : {}) }, ...rest },
  };
}

/** 导出 JSON: the submit body with seed 001's `output_dir` (the one value the server accepts for the task). */
export function exportRequest(body: RequestBody): SubmitBody {
  return { ...submitBody(body), output_dir: `cache/outputs/${body.task}/` };
}

/** Indented JSON with a final newline: the exported file's text. */
export function exportText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A file name safe on every OS, from a job id or a title. */
export function safeFileName(base: string, extension: string): string {
  const clean = base.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'huaku';
  return `${clean}.${extension}`;
}
