// The fake ComfyUI server (docs/upstream.md §4.2): `POST /prompt` validates an API-format graph of the
// text-to-image nodes and queues it; prompts run one at a time, reporting `execution_start`, `executing`,
// `progress`, `executed`, `execution_success` (or `execution_error` / `execution_interrupted`) over the
// websocket `/ws?clientId=` of the prompt's client_id; `/history/{id}` holds the outputs once done; `/view`
// serves them; `/interrupt` and `/queue {delete}` cancel. See README.md.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { drawDemoImage } from '../shared/demo-image.ts';
import { GenerationFakeCore, readBody, sendBytes, sendJson, type GenerationFakeControls, type GenerationFakeOptions, type TaskOutcome } from '../shared/generation-fake.ts';
import { listen, serve } from '../shared/server.ts';
import { acceptWebSocket, type ServerWebSocket } from '../shared/websocket.ts';

export interface FakeComfyUIOptions extends GenerationFakeOptions {
  /** Invented (ComfyUI has no auth): a reverse proxy in front that wants `Authorization: Bearer <token>` on HTTP calls, 401 otherwise. */
  proxyToken?: string;
}

interface Node {
  class_type: string;
  inputs: Record<string, unknown>;
}
type Graph = Record<string, Node>;

interface QueuedPrompt {
  id: string;
  number: number;
  graph: Graph;
  clientId: string | null;
  outcome: TaskOutcome;
  deleted: boolean;
  stop: AbortController;
}

export interface FakeComfyUI extends GenerationFakeControls {
  origin: string;
  /** COMFYUI_BASE_URL. */
  baseUrl: string;
  /** Graphs received by /prompt, in order. */
  prompts: Graph[];
  interrupts: number;
  /** Open websocket client ids. */
  readonly socketCount: number;
  /** Turns the invented auth proxy on (a token) or off (null). */
  setProxyToken(token: string | null): void;
}

/** Required inputs of the nodes this fake knows (a subset of /object_info). */
const NODE_INPUTS: Record<string, string[]> = {
  CheckpointLoaderSimple: ['ckpt_name'],
  LoraLoader: ['model', 'clip', 'lora_name', 'strength_model', 'strength_clip'],
  CLIPTextEncode: ['text', 'clip'],
  EmptyLatentImage: ['width', 'height', 'batch_size'],
  KSampler: ['model', 'seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'positive', 'negative', 'latent_image', 'denoise'],
  VAEDecode: ['samples', 'vae'],
  SaveImage: ['images', 'filename_prefix'],
};

const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number';

function validationError(type: string, message: string, nodeErrors: Record<string, unknown> = {}): Record<string, unknown> {
  return { error: { type, message, details: '', extra_info: {} }, node_errors: nodeErrors };
}

/** ComfyUI's validate_prompt, reduced to what matters here: known nodes, required inputs, links that resolve, an output. */
function validate(graph: unknown): Record<string, unknown> | null {
  if (!graph || typeof graph !== 'object' || Array.isArray(graph)) return validationError('invalid_prompt', 'Invalid prompt: not an object');
  const nodes = graph as Graph;
  for (const [id, node] of Object.entries(nodes)) {
    if (!node || typeof node.class_type !== 'string') return validationError('invalid_prompt', `Cannot execute because a node is missing the class_type property.: Node ID '#${id}'`);
    if (!NODE_INPUTS[node.class_type]) return validationError('invalid_prompt', `Cannot execute because node ${node.class_type} does not exist.: Node ID '#${id}'`);
  }
  const nodeErrors: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(nodes)) {
    const errors: Array<Record<string, unknown>> = [];
    for (const input of NODE_INPUTS[node.class_type]!) {
      const value = node.inputs?.[input];
      if (value === undefined) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: input, extra_info: { input_name: input } });
      else if (isLink(value) && !nodes[value[0]]) errors.push({ type: 'bad_linked_input', message: 'Bad linked input', details: `${input}: node ${value[0]} does not exist`, extra_info: { input_name: input } });
    }
    if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: [], class_type: node.class_type };
  }
  if (Object.keys(nodeErrors).length > 0) return validationError('prompt_outputs_failed_validation', 'Prompt outputs failed validation', nodeErrors);
  if (!Object.values(nodes).some((n) => n.class_type === 'SaveImage')) return validationError('prompt_no_outputs', 'Prompt has no outputs');
  return null;
}

/** Follow a link to the node it names. */
function source(graph: Graph, value: unknown): Node | undefined {
  return isLink(value) ? graph[value[0]] : undefined;
}

/** What a SaveImage node's images are drawn from: its sampler, latent, prompts, checkpoint and LoRAs. */
function recipeOf(graph: Graph, save: Node) {
  const decode = source(graph, save.inputs.images);
  const sampler = source(graph, decode?.inputs.samples);
  const latent = source(graph, sampler?.inputs.latent_image);
  const positive = source(graph, sampler?.inputs.positive);
  const negative = source(graph, sampler?.inputs.negative);
  const loras: Array<{ name: string; weight: number }> = [];
  let model = source(graph, sampler?.inputs.model);
  while (model?.class_type === 'LoraLoader') {
    loras.unshift({ name: String(model.inputs.lora_name), weight: Number(model.inputs.strength_model) });
    model = source(graph, model.inputs.model);
  }
  return {
    width: Number(latent?.inputs.width ?? 512), height: Number(latent?.inputs.height ?? 512), batch: Number(latent?.inputs.batch_size ?? 1),
    prompt: String(positive?.inputs.text ?? ''), negativePrompt: String(negative?.inputs.text ?? ''), seed: Number(sampler?.inputs.seed ?? 0),
    model: String(model?.inputs.ckpt_name ?? 'unknown'), loras, steps: Number(sampler?.inputs.steps ?? 20), cfg: Number(sampler?.inputs.cfg ?? 7),
    sampler: `${String(sampler?.inputs.sampler_name)}/${String(sampler?.inputs.scheduler)}`,
  };
}

export async function startFakeComfyUI(options: FakeComfyUIOptions = {}): Promise<FakeComfyUI> {
  const core = new GenerationFakeCore(options);
  const sockets = new Map<string, ServerWebSocket>();
  const history = new Map<string, Record<string, unknown>>();
  const files = new Map<string, Promise<Buffer>>();
  const prompts: Graph[] = [];
  const pending: QueuedPrompt[] = [];
  let running: QueuedPrompt | null = null;
  let chain: Promise<void> = Promise.resolve();
  let interrupts = 0;
  let number = 0;
  let fileCounter = 0;
  let proxyToken = options.proxyToken ?? null;

  const emit = (clientId: string | null, type: string, data: Record<string, unknown>): void => {
    if (clientId) sockets.get(clientId)?.send(JSON.stringify({ type, data }));
  };
  const queueRemaining = (): number => pending.length + (running ? 1 : 0);
  const broadcastStatus = (): void => {
    for (const socket of sockets.values()) socket.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queueRemaining() } } } }));
  };

  async function execute(prompt: QueuedPrompt): Promise<void> {
    const { id, graph, clientId } = prompt;
    const messages: Array<[string, Record<string, unknown>]> = [];
    const say = (type: string, data: Record<string, unknown>): void => {
      const full = { ...data, prompt_id: id, timestamp: Date.now() };
      if (type !== 'executing' && type !== 'progress' && type !== 'executed') messages.push([type, full]);
      emit(clientId, type, type === 'executing' || type === 'progress' || type === 'executed' ? { ...data, prompt_id: id } : full);
    };
    say('execution_start', {});
    say('execution_cached', { nodes: [] });
    const outputs: Record<string, { images: Array<{ filename: string; subfolder: string; type: string }> }> = {};
    const executed: string[] = [];
    let status: 'success' | 'error' = 'success';
    for (const nodeId of Object.keys(graph).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))) {
      const node = graph[nodeId]!;
      emit(clientId, 'executing', { node: nodeId, display_node: nodeId, prompt_id: id });
      if (node.class_type === 'KSampler') {
        const steps = core.stepsFor(Number(node.inputs.steps ?? 20));
        const finished = await core.runSteps(steps, prompt.stop.signal, (value) => {
          emit(clientId, 'progress', { value, max: steps, prompt_id: id, node: nodeId });
          if (prompt.outcome === 'failed' && value === 1) prompt.stop.abort('failed');
        });
        if (!finished) {
          status = 'error';
          if (prompt.stop.signal.reason === 'failed') {
            say('execution_error', {
              node_id: nodeId, node_type: 'KSampler', executed, exception_message: 'Allocation on device（演示故障：显存不足）', exception_type: 'torch.OutOfMemoryError',
              traceback: [], current_inputs: {}, current_outputs: {},
            });
          } else {
            say('execution_interrupted', { node_id: nodeId, node_type: 'KSampler', executed });
          }
          break;
        }
      }
      if (node.class_type === 'SaveImage') {
        const recipe = recipeOf(graph, node);
        const images = [];
        for (let i = 0; i < recipe.batch; i++) {
          const filename = `${String(node.inputs.filename_prefix)}_${String(++fileCounter).padStart(5, '0')}_.png`;
          files.set(filename, drawDemoImage({ ...recipe, seed: recipe.seed + i, source: 'fake ComfyUI' }));
          images.push({ filename, subfolder: '', type: 'output' });
        }
        // A malformed outcome: the SaveImage node's output has no images in the history.
        if (prompt.outcome !== 'malformed') outputs[nodeId] = { images };
        emit(clientId, 'executed', { node: nodeId, display_node: nodeId, output: { images }, prompt_id: id });
      }
      executed.push(nodeId);
    }
    if (status === 'success') {
      emit(clientId, 'executing', { node: null, prompt_id: id });
      say('execution_success', {});
    }
    history.set(id, {
      prompt: [prompt.number, id, graph, { client_id: clientId }, Object.keys(graph).filter((k) => graph[k]!.class_type === 'SaveImage')],
      outputs: status === 'success' ? outputs : {},
      status: { status_str: status, completed: status === 'success', messages },
      meta: {},
    });
  }

  function enqueue(prompt: QueuedPrompt): void {
    pending.push(prompt);
    chain = chain.then(async () => {
      pending.splice(pending.indexOf(prompt), 1);
      if (prompt.deleted || core.closing.signal.aborted) return;
      running = prompt;
      broadcastStatus();
      try {
        await execute(prompt);
      } finally {
        running = null;
        broadcastStatus();
      }
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const path = url.pathname.replace(/^\/api(?=\/)/, ''); // ComfyUI serves every route under /api too
    const rec = core.record(req, path, path === '/prompt' && req.method === 'POST' ? 'list' : path.startsWith('/history') || path === '/queue' ? 'detail' : path === '/view' ? 'image' : 'other');
    const body = await readBody(req);
    if (await core.transportFault(req, res, rec)) return;
    if (proxyToken && req.headers.authorization !== `Bearer ${proxyToken}`) return sendJson(res, rec, 401, { error: 'Unauthorized' });

    if (path === '/prompt' && req.method === 'POST') {
      const json = body.json as { prompt?: unknown; client_id?: unknown } | undefined;
      if (!json || typeof json !== 'object') return sendJson(res, rec, 400, validationError('invalid_prompt', 'Invalid prompt: body is not JSON'));
      if (json.prompt === undefined) return sendJson(res, rec, 400, { error: 'no prompt', node_errors: [] });
      const invalid = validate(json.prompt);
      if (invalid) return sendJson(res, rec, 400, invalid);
      prompts.push(json.prompt as Graph);
      const prompt: QueuedPrompt = {
        id: randomUUID(), number: number++, graph: json.prompt as Graph, clientId: typeof json.client_id === 'string' ? json.client_id : null,
        outcome: core.nextOutcome(), deleted: false, stop: new AbortController(),
      };
      enqueue(prompt);
      broadcastStatus();
      return sendJson(res, rec, 200, { prompt_id: prompt.id, number: prompt.number, node_errors: {} });
    }
    if (path === '/prompt' && req.method === 'GET') return sendJson(res, rec, 200, { exec_info: { queue_remaining: queueRemaining() } });
    const historyMatch = /^\/history\/([^/]+)$/.exec(path);
    if (historyMatch && req.method === 'GET') {
      const id = decodeURIComponent(historyMatch[1]!);
      const entry = history.get(id);
      return sendJson(res, rec, 200, entry ? { [id]: entry } : {});
    }
    if (path === '/view' && req.method === 'GET') {
      const filename = url.searchParams.get('filename') ?? '';
      if (filename === '' || filename.startsWith('/') || filename.includes('..')) return sendJson(res, rec, 400, {});
      if ((url.searchParams.get('type') ?? 'output') !== 'output' || (url.searchParams.get('subfolder') ?? '') !== '') return sendJson(res, rec, 404, {});
      const file = files.get(filename);
      if (!file) return sendJson(res, rec, 404, {});
      return sendBytes(res, rec, 200, await file, 'image/png', { 'content-disposition': `filename="${filename}"` });
    }
    if (path === '/interrupt' && req.method === 'POST') {
      interrupts += 1;
      running?.stop.abort('interrupted');
      return sendBytes(res, rec, 200, Buffer.alloc(0), 'text/plain');
    }
    if (path === '/queue' && req.method === 'POST') {
      const ids = (body.json as { delete?: unknown } | undefined)?.delete;
      if (Array.isArray(ids)) for (const p of pending) if (ids.includes(p.id)) p.deleted = true;
      return sendBytes(res, rec, 200, Buffer.alloc(0), 'text/plain');
    }
    if (path === '/queue' && req.method === 'GET') {
      const row = (p: QueuedPrompt) => [p.number, p.id, p.graph, { client_id: p.clientId }, []];
      return sendJson(res, rec, 200, { queue_running: running ? [row(running)] : [], queue_pending: pending.filter((p) => !p.deleted).map(row) });
    }
    if (path === '/object_info' && req.method === 'GET') {
      return sendJson(res, rec, 200, Object.fromEntries(Object.entries(NODE_INPUTS).map(([name, inputs]) => [name, { input: { required: Object.fromEntries(inputs.map((i) => [i, []])) }, name, output_node: name === 'SaveImage' }])));
    }
    return sendJson(res, rec, 404, {});
  }

  const server = serve(handle);
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    if (url.pathname.replace(/^\/api(?=\/)/, '') !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    upgraded.add(socket);
    const sid = url.searchParams.get('clientId') || randomUUID().replaceAll('-', '');
    sockets.get(sid)?.close();
    sockets.set(sid, ws);
    ws.onClose(() => {
      upgraded.delete(socket);
      if (sockets.get(sid) === ws) sockets.delete(sid);
    });
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queueRemaining() } }, sid } }));
  });
  const origin = await listen(server, options.host, options.port);
  return {
    origin,
    baseUrl: origin,
    prompts,
    get interrupts() {
      return interrupts;
    },
    get socketCount() {
      return sockets.size;
    },
    setProxyToken: (token) => void (proxyToken = token),
    requests: core.requests,
    setFaults: (faults) => core.setFaults(faults),
    setOutcomes: (outcomes) => core.setOutcomes(outcomes),
    setTiming: (timing) => core.setTiming(timing),
    reset: () => {
      core.reset();
      proxyToken = options.proxyToken ?? null;
      prompts.length = 0;
      interrupts = 0;
    },
    close: () =>
      core.close(server, () => {
        running?.stop.abort('closing');
        for (const socket of upgraded) socket.destroy();
      }),
  };
}
