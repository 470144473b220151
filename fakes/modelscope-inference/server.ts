// The fake ModelScope API-Inference (docs/upstream.md §2.4): `POST /v1/images/generations` in async mode
// answers a task_id; `GET /v1/tasks/{id}` goes PENDING → RUNNING → SUCCEED (or FAILED) as the task's steps
// pass; output images are served from `/outputs/{task_id}.png` (a public URL, like the real OSS links).
// Every call but the output needs `Authorization: Bearer <token>` (401 otherwise). See README.md.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drawDemoImage } from '../shared/demo-image.ts';
import { GenerationFakeCore, readBody, resolveSeed, sendBytes, sendJson, type GenerationFakeControls, type GenerationFakeOptions, type TaskOutcome } from '../shared/generation-fake.ts';
import { listen, serve } from '../shared/server.ts';

export const DEFAULT_INFERENCE_TOKEN = 'ms-demo-inference-token';

export interface FakeModelScopeInferenceOptions extends GenerationFakeOptions {
  /** The token accepted (default DEFAULT_INFERENCE_TOKEN). */
  token?: string;
}

export interface FakeInferenceTask {
  id: string;
  body: Record<string, unknown>;
  seed: number;
  outcome: TaskOutcome;
  steps: number;
  done: number;
  status: 'PENDING' | 'RUNNING' | 'SUCCEED' | 'FAILED';
}

export interface FakeModelScopeInference extends GenerationFakeControls {
  origin: string;
  /** Replaces https://api-inference.modelscope.cn (MODELSCOPE_INFERENCE_BASE). */
  baseUrl: string;
  token: string;
  tasks: Map<string, FakeInferenceTask>;
}

const SIZE = /^(\d+)x(\d+)$/;

/** The body checks of the official parameter table (docs/upstream.md §2.4); null when valid. */
function invalidBody(body: Record<string, unknown>): string | null {
  if (typeof body.model !== 'string' || body.model === '') return 'model is required';
  if (typeof body.prompt !== 'string' || body.prompt === '') return 'prompt is required';
  if (body.prompt.length >= 2000) return 'prompt must be shorter than 2000 characters';
  if (body.negative_prompt !== undefined && (typeof body.negative_prompt !== 'string' || body.negative_prompt.length >= 2000)) return 'negative_prompt must be a string shorter than 2000 characters';
  if (body.size !== undefined) {
    const m = typeof body.size === 'string' ? SIZE.exec(body.size) : null;
    if (!m || Number(m[1]) < 64 || Number(m[2]) < 64 || Number(m[1]) > 2048 || Number(m[2]) > 2048) return 'size must be WxH between 64x64 and 2048x2048';
  }
  const int = (v: unknown, min: number, max: number) => v === undefined || (Number.isInteger(v) && (v as number) >= min && (v as number) <= max);
  if (!int(body.seed, 0, 2 ** 31 - 1)) return 'seed must be an integer 0–2147483647';
  if (!int(body.steps, 1, 100)) return 'steps must be an integer 1–100';
  if (body.guidance !== undefined && (typeof body.guidance !== 'number' || body.guidance < 1.5 || body.guidance > 20)) return 'guidance must be 1.5–20';
  if (body.loras !== undefined && typeof body.loras !== 'string') {
    const loras = body.loras as Record<string, unknown>;
    const weights = typeof loras === 'object' && loras !== null && !Array.isArray(loras) ? Object.values(loras) : null;
    if (!weights || weights.length === 0 || weights.length > 6 || !weights.every((w) => typeof w === 'number')) return 'loras must be a repo id or an object of at most 6 {repo id: weight}';
    if (Math.abs((weights as number[]).reduce((a, b) => a + b, 0) - 1) > 0.01) return 'lora weights must sum to 1.0';
  }
  return null;
}

function loraList(loras: unknown): Array<{ name: string; weight: number }> {
  if (typeof loras === 'string') return [{ name: loras, weight: 1 }];
  if (loras && typeof loras === 'object') return Object.entries(loras as Record<string, number>).map(([name, weight]) => ({ name, weight }));
  return [];
}

export async function startFakeModelScopeInference(options: FakeModelScopeInferenceOptions = {}): Promise<FakeModelScopeInference> {
  const core = new GenerationFakeCore(options);
  const token = options.token ?? DEFAULT_INFERENCE_TOKEN;
  const tasks = new Map<string, FakeInferenceTask>();
  let origin = '';

  function image(task: FakeInferenceTask): Promise<Buffer> {
    const m = SIZE.exec(String(task.body.size ?? '1024x1024'))!;
    return drawDemoImage({
      width: Number(m[1]), height: Number(m[2]), prompt: String(task.body.prompt), negativePrompt: task.body.negative_prompt as string | undefined,
      seed: task.seed, model: String(task.body.model), loras: loraList(task.body.loras), steps: task.body.steps as number | undefined,
      cfg: task.body.guidance as number | undefined, source: 'fake ModelScope API-Inference',
    });
  }

  function run(task: FakeInferenceTask): void {
    void core.runSteps(task.steps, core.closing.signal, (step) => {
      task.status = 'RUNNING';
      task.done = step;
    }).then((finished) => {
      if (finished) task.status = task.outcome === 'failed' ? 'FAILED' : 'SUCCEED';
    });
  }

  function taskView(task: FakeInferenceTask): Record<string, unknown> {
    const view: Record<string, unknown> = { request_id: randomUUID(), task_id: task.id, task_status: task.status };
    if (task.status === 'SUCCEED') {
      // A malformed outcome: output_images is a bare string, not the array of URLs.
      view.output_images = task.outcome === 'malformed' ? `${origin}/outputs/${task.id}.png` : [`${origin}/outputs/${task.id}.png`];
    }
    if (task.status === 'FAILED') view.errors = { code: 'InferenceError', message: '模型推理失败（演示故障）' };
    return view;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const path = url.pathname;
    const submit = path === '/v1/images/generations';
    const poll = /^\/v1\/tasks\/([^/]+)$/.exec(path);
    const output = /^\/outputs\/([^/]+)\.png$/.exec(path);
    const rec = core.record(req, path, submit ? 'list' : poll ? 'detail' : output ? 'image' : 'other');
    const body = await readBody(req);
    if (await core.transportFault(req, res, rec)) return;

    if (output) {
      const task = tasks.get(output[1]!);
      if (!task || task.status !== 'SUCCEED') return sendJson(res, rec, 404, { errors: { message: 'NoSuchKey' } });
      return sendBytes(res, rec, 200, await image(task), 'image/png');
    }
    if (!submit && !poll) return sendJson(res, rec, 404, { errors: { message: `no route ${req.method} ${path}` } });
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== token) return sendJson(res, rec, 401, { request_id: randomUUID(), errors: { code: 'Unauthorized', message: 'Invalid or missing ModelScope access token' } });

    if (submit) {
      if (req.method !== 'POST') return sendJson(res, rec, 405, { errors: { message: 'method not allowed' } });
      if (req.headers['x-modelscope-async-mode'] !== 'true') return sendJson(res, rec, 400, { errors: { message: 'this fake only implements async mode (X-ModelScope-Async-Mode: true)' } });
      const json = body.json as Record<string, unknown> | undefined;
      if (!json || typeof json !== 'object' || Array.isArray(json)) return sendJson(res, rec, 400, { errors: { message: 'body must be a JSON object' } });
      const problem = invalidBody(json);
      if (problem) return sendJson(res, rec, 400, { request_id: randomUUID(), errors: { code: 'InvalidParameter', message: problem } });
      const id = randomUUID();
      const task: FakeInferenceTask = { id, body: json, seed: resolveSeed(json.seed, id), outcome: core.nextOutcome(), steps: core.stepsFor(Number(json.steps ?? 30)), done: 0, status: 'PENDING' };
      tasks.set(id, task);
      run(task);
      return sendJson(res, rec, 200, { request_id: randomUUID(), task_id: id });
    }
    if (req.headers['x-modelscope-task-type'] !== 'image_generation') return sendJson(res, rec, 400, { errors: { message: 'X-ModelScope-Task-Type: image_generation is required' } });
    const task = tasks.get(decodeURIComponent(poll![1]!));
    if (!task) return sendJson(res, rec, 404, { request_id: randomUUID(), errors: { code: 'TaskNotFound', message: 'task not found' } });
    return sendJson(res, rec, 200, taskView(task));
  }

  const server = serve(handle);
  origin = await listen(server, options.host, options.port);
  return {
    origin,
    baseUrl: origin,
    token,
    tasks,
    requests: core.requests,
    setFaults: (faults) => core.setFaults(faults),
    setOutcomes: (outcomes) => core.setOutcomes(outcomes),
    setTiming: (timing) => core.setTiming(timing),
    reset: () => {
      core.reset();
      tasks.clear();
    },
    close: () => core.close(server),
  };
}
