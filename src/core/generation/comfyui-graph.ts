// The ComfyUI "API format" graph for a text-to-image request (docs/upstream.md §4.2):
// CheckpointLoaderSimple → LoraLoader × n → CLIPTextEncode × 2 → per batch image: EmptyLatentImage →
// KSampler → VAEDecode → SaveImage. Each batch image gets its own sampler with seed + i (instead of one
// latent with batch_size n) so every output is reproducible from its own seed, as on A1111.
import type { GenerationSampler, ResolvedGenerationRequest } from './generation-request.ts';

export interface ComfyNode {
  class_type: string;
  inputs: Record<string, unknown>;
}
export type ComfyGraph = Record<string, ComfyNode>;

/** A1111 sampler names → ComfyUI's sampler_name and scheduler. */
const COMFY_SAMPLERS: Readonly<Record<GenerationSampler, { sampler: string; scheduler: string }>> = {
  'Euler a': { sampler: 'euler_ancestral', scheduler: 'normal' },
  Euler: { sampler: 'euler', scheduler: 'normal' },
  'DPM++ 2M': { sampler: 'dpmpp_2m', scheduler: 'normal' },
  'DPM++ 2M Karras': { sampler: 'dpmpp_2m', scheduler: 'karras' },
  'DPM++ SDE Karras': { sampler: 'dpmpp_sde', scheduler: 'karras' },
  'DPM++ 2M SDE Karras': { sampler: 'dpmpp_2m_sde', scheduler: 'karras' },
  DDIM: { sampler: 'ddim', scheduler: 'ddim_uniform' },
  UniPC: { sampler: 'uni_pc', scheduler: 'normal' },
  LCM: { sampler: 'lcm', scheduler: 'sgm_uniform' },
};

/** SaveImage's file name prefix (ComfyUI's seed input takes 0 … 2^64-1, so our seeds pass as they are). */
const COMFY_OUTPUT_PREFIX = 'huaku';

export interface BuiltComfyGraph {
  graph: ComfyGraph;
  /** Per batch image, in order: its SaveImage node, its KSampler node and the seed that sampler uses. */
  outputs: Array<{ node: string; sampler: string; seed: number }>;
}

export function buildComfyGraph(request: ResolvedGenerationRequest): BuiltComfyGraph {
  const graph: ComfyGraph = {};
  let next = 1;
  const add = (node: ComfyNode): string => {
    const id = String(next++);
    graph[id] = node;
    return id;
  };
  const checkpoint = add({ class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: request.checkpoint.id } });
  let model: [string, number] = [checkpoint, 0];
  let clip: [string, number] = [checkpoint, 1];
  const vae: [string, number] = [checkpoint, 2];
  for (const lora of request.loras) {
    const id = add({
      class_type: 'LoraLoader',
      inputs: { model, clip, lora_name: lora.id, strength_model: lora.weight, strength_clip: lora.weight },
    });
    model = [id, 0];
    clip = [id, 1];
  }
  const positive = add({ class_type: 'CLIPTextEncode', inputs: { text: request.prompt, clip } });
  const negative = add({ class_type: 'CLIPTextEncode', inputs: { text: request.negativePrompt, clip } });
  const { sampler, scheduler } = COMFY_SAMPLERS[request.sampler];
  const outputs: BuiltComfyGraph['outputs'] = [];
  for (let i = 0; i < request.batch; i++) {
    const seed = request.seed + i;
    const latent = add({ class_type: 'EmptyLatentImage', inputs: { width: request.width, height: request.height, batch_size: 1 } });
    const sampled = add({
      class_type: 'KSampler',
      inputs: {
        model, seed, steps: request.steps, cfg: request.cfgScale, sampler_name: sampler, scheduler,
        positive: [positive, 0], negative: [negative, 0], latent_image: [latent, 0], denoise: 1,
      },
    });
    const decoded = add({ class_type: 'VAEDecode', inputs: { samples: [sampled, 0], vae } });
    const saved = add({ class_type: 'SaveImage', inputs: { images: [decoded, 0], filename_prefix: `${COMFY_OUTPUT_PREFIX}_${i}` } });
    outputs.push({ node: saved, sampler: sampled, seed });
  }
  return { graph, outputs };
}
