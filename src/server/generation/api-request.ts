// seed 001 §9.5's submit body `{model_id, task, params, output_dir}` → a GenerationRequest. Every field is
// allow-listed (unknown ones are refused), every value range-checked by the shared request schema, and
// `output_dir` is only ever compared with the one value the seed gives it: it is never used as a path.
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.ts';
import { GENERATION_TASKS, generationRequestSchema, type GenerationRequest } from '../../core/generation/generation-request.ts';
import type { GenerationProviderKind } from '../../core/generation/generation-provider.ts';

/** The provider kinds a request may name (`provider`), as GENERATION_PROVIDERS lists them. */
const PROVIDER_KINDS = ['modelscope', 'a1111', 'comfyui'] as const satisfies readonly GenerationProviderKind[];

export const submitBodySchema = z
  .object({
    model_id: z.string().trim().min(1).max(200),
    task: z.enum(GENERATION_TASKS).default('text-to-image-synthesis'),
    params: z.record(z.string(), z.unknown()),
    output_dir: z.string().max(300).optional(),
    provider: z.enum(PROVIDER_KINDS).optional(),
  })
  .strict();

export const rerunBodySchema = z.object({ random_seed: z.boolean().optional() }).strict();

/** The only `output_dir` the seed's shape allows for a task. */
export const outputDirOf = (task: string) => `cache/outputs/${task}/`;

/** Parse a submit body into the request a job runs; throws a ZodError (400 naming the field) or InvalidInputError. */
export function parseSubmitBody(data: unknown): { request: GenerationRequest; provider: GenerationProviderKind | null } {
  const body = submitBodySchema.parse(data);
  if (body.output_dir !== undefined && body.output_dir !== outputDirOf(body.task)) {
    throw new InvalidInputError(`output_dir 只能是 ${outputDirOf(body.task)}（输出由服务器保存，不接受其他路径）`, { code: 'invalid_output_dir' });
  }
  const { checkpoint, ...params } = body.params;
  if ('task' in params) throw new InvalidInputError('params.task: 请在顶层给出 task', { code: 'invalid_input' });
  if (checkpoint !== undefined && (typeof checkpoint !== 'object' || checkpoint === null || 'id' in checkpoint)) {
    throw new InvalidInputError('params.checkpoint: 只能给出 name 和 baseModel（模型 id 即 model_id）', { code: 'invalid_input' });
  }
  const parsed = generationRequestSchema.safeParse({
    ...params,
    task: body.task,
    checkpoint: { ...(checkpoint as object | undefined), id: body.model_id },
  });
  if (!parsed.success) {
    // Name the fields as the client sent them: model_id, params.*.
    throw new z.ZodError(
      parsed.error.issues.map((issue) => ({
        ...issue,
        path: issue.path[0] === 'checkpoint' && issue.path[1] === 'id' ? ['model_id'] : ['params', ...issue.path],
      })),
    );
  }
  return { request: parsed.data, provider: body.provider ?? null };
}
