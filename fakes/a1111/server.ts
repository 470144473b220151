// The fake AUTOMATIC1111/Forge WebUI API (docs/upstream.md §4.1): `POST /sdapi/v1/txt2img` blocks while
// the steps pass and answers {images: [base64 PNG…], parameters, info: "<JSON>"}; `GET /sdapi/v1/progress`
// reports the running job; `POST /sdapi/v1/interrupt` stops it; the model, LoRA and sampler lists answer
// too. One job at a time, as the real WebUI. Optional HTTP Basic auth (--api-auth). See README.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drawDemoImage } from '../shared/demo-image.ts';
import { GenerationFakeCore, readBody, resolveSeed, sendJson, type GenerationFakeControls, type GenerationFakeOptions } from '../shared/generation-fake.ts';
import { listen, serve } from '../shared/server.ts';

export interface FakeA1111Options extends GenerationFakeOptions {
  /** `user:pass`: every call needs HTTP Basic auth with it (A1111's --api-auth); 401 otherwise. */
  apiAuth?: string;
}

export interface FakeA1111 extends GenerationFakeControls {
  origin: string;
  /** A1111_BASE_URL. */
  baseUrl: string;
  /** txt2img bodies received, in order. */
  jobs: Array<Record<string, unknown>>;
  /** Interrupts received. */
  interrupts: number;
}

export const FAKE_A1111_MODELS = ['sd_xl_base_1.0.safetensors [31e35c80fc]', 'majicmixRealistic_v7.safetensors [7c819b6d13]'];
const SAMPLERS = ['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ 2M Karras', 'DPM++ SDE Karras', 'DPM++ 2M SDE Karras', 'DDIM', 'UniPC', 'LCM'];
const LORA_TAG = /<lora:([^:>]+):([-\d.]+)>/g;

interface RunningJob {
  steps: number;
  step: number;
  stop: AbortController;
}

export async function startFakeA1111(options: FakeA1111Options = {}): Promise<FakeA1111> {
  const core = new GenerationFakeCore(options);
  const jobs: Array<Record<string, unknown>> = [];
  let interrupts = 0;
  let running: RunningJob | null = null;
  let queue: Promise<void> = Promise.resolve();
  const expectedAuth = options.apiAuth ? `Basic ${Buffer.from(options.apiAuth).toString('base64')}` : null;

  function progressView(): Record<string, unknown> {
    const job = running;
    return {
      progress: job ? job.step / job.steps : 0,
      eta_relative: job ? ((job.steps - job.step) * core.stepMs) / 1000 : 0,
      state: {
        skipped: false, interrupted: job?.stop.signal.aborted ?? false, job: job ? 'txt2img' : '', job_count: job ? 1 : 0,
        job_timestamp: '20260101000000', job_no: 0, sampling_step: job?.step ?? 0, sampling_steps: job?.steps ?? 0,
      },
      current_image: null,
      textinfo: null,
    };
  }

  async function txt2img(body: Record<string, unknown>): Promise<{ status: number; value: unknown }> {
    const width = Number(body.width ?? 512);
    const height = Number(body.height ?? 512);
    const batch = Number(body.batch_size ?? 1) * Number(body.n_iter ?? 1);
    if (![width, height, batch].every((n) => Number.isInteger(n) && n > 0) || width > 2048 || height > 2048 || batch > 8) {
      return { status: 422, value: { detail: [{ loc: ['body'], msg: 'width, height (≤ 2048) and batch_size must be positive integers', type: 'value_error' }] } };
    }
    const outcome = core.nextOutcome();
    const prompt = String(body.prompt ?? '');
    const seed = resolveSeed(body.seed, `${prompt}|${jobs.length}`);
    const model = String((body.override_settings as Record<string, unknown> | undefined)?.sd_model_checkpoint ?? FAKE_A1111_MODELS[0]);
    const loras = [...prompt.matchAll(LORA_TAG)].map((m) => ({ name: m[1]!, weight: Number(m[2]) }));
    const job: RunningJob = { steps: core.stepsFor(Number(body.steps ?? 20)), step: 0, stop: new AbortController() };
    running = job;
    try {
      await core.runSteps(job.steps, job.stop.signal, (step) => void (job.step = step));
    } finally {
      running = null;
    }
    if (core.closing.signal.aborted) return { status: 503, value: { error: 'shutting down' } };
    if (outcome === 'failed') {
      return { status: 500, value: { error: 'OutOfMemoryError', detail: '', body: '', errors: 'CUDA out of memory（演示故障）' } };
    }
    const seeds = Array.from({ length: batch }, (_, i) => seed + i);
    const images = await Promise.all(seeds.map((s) => drawDemoImage({
      width, height, prompt: prompt.replace(LORA_TAG, '').replace(/[,\s]+$/, ''), negativePrompt: String(body.negative_prompt ?? ''), seed: s, model,
      loras, steps: Number(body.steps ?? 20), cfg: Number(body.cfg_scale ?? 7), sampler: String(body.sampler_name ?? 'Euler a'), source: 'fake A1111 WebUI',
    })));
    const encoded = images.map((b) => b.toString('base64'));
    // The real WebUI puts a grid first when the batch has several images (return_grid).
    const grid = batch > 1 ? [(await drawDemoImage({ width, height, prompt: `grid: ${prompt}`, seed, model, source: 'fake A1111 WebUI grid' })).toString('base64')] : [];
    const info = {
      prompt, all_prompts: seeds.map(() => prompt), negative_prompt: body.negative_prompt ?? '', seed, all_seeds: seeds, subseed: seed, all_subseeds: seeds,
      width, height, sampler_name: body.sampler_name ?? 'Euler a', cfg_scale: body.cfg_scale ?? 7, steps: body.steps ?? 20, batch_size: batch,
      sd_model_name: model, index_of_first_image: grid.length, job_timestamp: '20260101000000', infotexts: seeds.map((s) => `${prompt}\nSteps: ${String(body.steps ?? 20)}, Seed: ${s}`),
    };
    if (outcome === 'malformed') return { status: 200, value: { images: encoded.map(() => 'not base64 image data'), parameters: body, info: JSON.stringify(info) } };
    return { status: 200, value: { images: [...grid, ...encoded], parameters: body, info: JSON.stringify(info) } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname;
    const rec = core.record(req, path, path === '/sdapi/v1/txt2img' ? 'list' : path === '/sdapi/v1/progress' ? 'detail' : 'other');
    const body = await readBody(req);
    if (await core.transportFault(req, res, rec)) return;
    if (expectedAuth && req.headers.authorization !== expectedAuth) {
      return sendJson(res, rec, 401, { detail: 'Incorrect username or password' }, { 'www-authenticate': 'Basic' });
    }
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'POST /sdapi/v1/txt2img': {
        const json = body.json as Record<string, unknown> | undefined;
        if (!json || typeof json !== 'object' || Array.isArray(json)) return sendJson(res, rec, 422, { detail: [{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }] });
        jobs.push(json);
        // One job at a time: a second call waits for the first, as the WebUI's queue lock does.
        const turn = queue.then(() => txt2img(json));
        queue = turn.then(() => undefined, () => undefined);
        const { status, value } = await turn;
        return sendJson(res, rec, status, value);
      }
      case 'GET /sdapi/v1/progress':
        return sendJson(res, rec, 200, progressView());
      case 'POST /sdapi/v1/interrupt':
        interrupts += 1;
        running?.stop.abort();
        return sendJson(res, rec, 200, {});
      case 'GET /sdapi/v1/sd-models':
        return sendJson(res, rec, 200, FAKE_A1111_MODELS.map((title) => ({ title, model_name: title.split('.')[0], hash: title.slice(-11, -1), filename: `/models/Stable-diffusion/${title.split(' ')[0]}` })));
      case 'GET /sdapi/v1/samplers':
        return sendJson(res, rec, 200, SAMPLERS.map((name) => ({ name, aliases: [], options: {} })));
      case 'GET /sdapi/v1/loras':
        return sendJson(res, rec, 200, []);
      default:
        return sendJson(res, rec, 404, { detail: 'Not Found' });
    }
  }

  const server = serve(handle);
  const origin = await listen(server, options.host, options.port);
  return {
    origin,
    baseUrl: origin,
    jobs,
    get interrupts() {
      return interrupts;
    },
    requests: core.requests,
    setFaults: (faults) => core.setFaults(faults),
    setOutcomes: (outcomes) => core.setOutcomes(outcomes),
    setTiming: (timing) => core.setTiming(timing),
    reset: () => {
      core.reset();
      jobs.length = 0;
      interrupts = 0;
    },
    close: () => core.close(server),
  };
}
