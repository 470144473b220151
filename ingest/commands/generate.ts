// `ingest generate`: seed 001's command-line generation. One request through the configured provider chain
// (or the offline generation fakes with --demo), the images written to `cache/outputs/{task}/` as PNGs
// carrying their A1111 `parameters` chunk, each with a JSON sidecar holding the recipe.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { UserFacingError } from '../../src/core/errors.ts';
import { writeFileAtomic } from '../../src/core/fs/atomic-write.ts';
import { createProviderChain } from '../../src/core/generation/create-generation-providers.ts';
import { encodeGenerationOutput, generationParameters } from '../../src/core/generation/generation-output.ts';
import { GenerationError, type GenerationFailureKind } from '../../src/core/generation/generation-provider.ts';
import { GENERATION_LIMITS, generationRequestSchema, type ResolvedGenerationRequest } from '../../src/core/generation/generation-request.ts';
import type { GenerationConfig } from '../../src/core/env.ts';
import { UsageError, type CommandContext, type CommandRunner } from './command.ts';

/** Where images go unless --out says otherwise (seed 001: cache/outputs/{task}/). */
export const GENERATE_DEFAULT_OUT = 'cache/outputs';

const HINTS: Record<GenerationFailureKind, string> = {
  auth: 'set MODELSCOPE_API_TOKEN (https://modelscope.cn/my/myaccesstoken), pick a local provider with --provider a1111|comfyui, or try the offline demo with --demo',
  quota: 'wait and try again, or use another provider (--provider a1111|comfyui)',
  unavailable: 'check that the provider is running and its URL (A1111_BASE_URL, COMFYUI_BASE_URL, MODELSCOPE_INFERENCE_BASE); `npm run doctor` shows them',
  failed: 'the provider could not make this image: check the model id, LoRA names and parameters',
  malformed: 'the provider answered something Huaku cannot read: check its version, or report it',
  unsupported: 'pick a provider that supports this request (--provider), or change the parameters',
  cancelled: 'the run was stopped',
};

const number = (flag: string, value: string | boolean | undefined): number | undefined => {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} "${value}": expected a number`);
  return n;
};

/** `id:0.8,other/id` → LoRAs (weight after the last colon; 0.8 when absent). */
function parseLoras(value: string | boolean | undefined): Array<{ id: string; weight: number }> {
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value.split(',').map((part) => {
    const match = /^(.+?)(?::(-?[\d.]+))?$/.exec(part.trim());
    if (!match) throw new UsageError(`--lora "${part}": expected id[:weight], e.g. owner/lora-name:0.8`);
    return { id: match[1]!, weight: match[2] === undefined ? GENERATION_LIMITS.loraWeight.suggested : Number(match[2]) };
  });
}

/** The flags as a generation request, checked by the same schema the API uses (ranges in the message). */
export function generateRequest(flags: CommandContext['flags']): ResolvedGenerationRequest {
  if (typeof flags.model !== 'string' || flags.model.trim() === '') throw new UsageError('--model: expected the checkpoint or model id, e.g. MAILAND/majicflus_v1 or sd_xl_base_1.0.safetensors');
  if (typeof flags.prompt !== 'string' || flags.prompt.trim() === '') throw new UsageError('--prompt: expected the text to draw');
  const parsed = generationRequestSchema.safeParse({
    task: flags.task,
    checkpoint: { id: flags.model },
    loras: parseLoras(flags.lora),
    prompt: flags.prompt,
    negativePrompt: typeof flags.negative === 'string' ? flags.negative : undefined,
    sampler: flags.sampler,
    steps: number('steps', flags.steps),
    cfgScale: number('cfg', flags.cfg),
    width: number('width', flags.width),
    height: number('height', flags.height),
    seed: number('seed', flags.seed),
    batch: number('batch', flags.batch),
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(request)'}: ${i.message}`);
    throw new UsageError(`invalid generation parameters (参数超出范围):\n${issues.join('\n')}`);
  }
  const request = parsed.data;
  return { ...request, seed: request.seed === -1 ? randomInt(0, 2 ** 31) : request.seed };
}

/** A sortable file stem from the run's start (UTC) and its seed: `{yyyymmdd-hhmmss}_{seed}`. */
function stem(now: Date, seed: number): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}_${seed}`;
}

export const generateCommand: CommandRunner = {
  async run(context) {
    const { flags, out, cwd } = context;
    const request = generateRequest(flags);
    const only = typeof flags.provider === 'string' ? flags.provider.split(',').map((p) => p.trim()).filter(Boolean) : undefined;
    const outDir = path.resolve(cwd, typeof flags.out === 'string' ? flags.out : GENERATE_DEFAULT_OUT, request.task);

    let config: GenerationConfig = context.config.generation;
    let demo: { close(): Promise<void> } | undefined;
    if (flags.demo === true) {
      const { startDemoGenerationFakes } = await import('../../fakes/generation-demo/server.ts');
      const fakes = await startDemoGenerationFakes({ stepMs: 20 });
      demo = fakes;
      config = {
        ...config,
        providers: ['modelscope', 'a1111', 'comfyui'],
        modelscope: { baseUrl: fakes.env.MODELSCOPE_INFERENCE_BASE, apiToken: fakes.env.MODELSCOPE_API_TOKEN },
        a1111: { baseUrl: fakes.env.A1111_BASE_URL },
        comfyui: { baseUrl: fakes.env.COMFYUI_BASE_URL },
      };
      out('演示模式 DEMO: generating on the bundled offline fakes (no GPU, no token); images are stamped “DEMO 演示输出”.');
    }
    if (config.providers.length === 0) throw new UserFacingError('generation is off (GENERATION_PROVIDERS=off)', { hint: 'set GENERATION_PROVIDERS, e.g. modelscope or a1111, or run with --demo' });

    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    try {
      const chain = createProviderChain(config, { pollIntervalMs: demo ? 20 : undefined });
      const started = new Date();
      let lastTenth = -1;
      const result = await chain.generate(request, {
        signal: controller.signal,
        only,
        onAttempt: (provider, attempt) => out(`${attempt > 1 ? 'retrying' : 'generating'} with ${provider.name}${provider.billed && !demo ? ' (remote, may count against your quota)' : ''} …`),
        onProgress: ({ progress, message }) => {
          const tenth = Math.floor(progress * 10);
          if (message) out(`  ${message}`);
          else if (tenth > lastTenth) out(`  ${Math.round(progress * 100)}%`);
          lastTenth = Math.max(lastTenth, tenth);
        },
      });
      const files: string[] = [];
      for (const [index, image] of result.images.entries()) {
        const parameters = generationParameters(request, image.seed, [['Huaku provider', result.provider.name]]);
        const png = await encodeGenerationOutput(image.bytes, parameters);
        const file = path.join(outDir, `${stem(started, request.seed)}_${index}.png`);
        await writeFileAtomic(file, png);
        const recipe = {
          task: request.task, provider: result.provider.name, demo: demo !== undefined, created_at: started.toISOString(),
          params: { ...request, seed: image.seed }, parameters,
        };
        await writeFileAtomic(file.replace(/\.png$/, '.json'), `${JSON.stringify(recipe, null, 2)}\n`);
        files.push(file);
      }
      out(`saved ${files.length} image(s) from ${result.provider.name}${demo ? ' (演示输出 DEMO)' : ''}:`);
      for (const file of files) out(`  ${path.relative(cwd, file) || file}`);
      return 0;
    } catch (error) {
      if (error instanceof GenerationError) throw new UserFacingError(`generation failed (${error.kind}): ${error.message}`, { hint: HINTS[error.kind], cause: error });
      throw error;
    } finally {
      process.off('SIGINT', stop);
      await demo?.close();
    }
  },
};
