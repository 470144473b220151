import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfyUI, type FakeComfyUI } from './server.ts';

let fake: FakeComfyUI;
beforeAll(async () => {
  fake = await startFakeComfyUI({ stepMs: 1, progressSteps: 2 });
});
afterAll(async () => {
  await fake?.close();
});

const graph = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a red car', clip: ['1', 1] } },
  '3': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
  '4': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
  '5': { class_type: 'KSampler', inputs: { model: ['1', 0], seed: 7, steps: 4, cfg: 7, sampler_name: 'euler', scheduler: 'normal', positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0], denoise: 1 } },
  '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
  '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'test' } },
};
const post = (path: string, body: unknown) => fetch(fake.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('fake ComfyUI', () => {
  it('validates graphs as /prompt does: unknown nodes, missing inputs, dangling links, no outputs', async () => {
    const unknown = await post('/prompt', { prompt: { '1': { class_type: 'Nope', inputs: {} } } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { type: 'invalid_prompt' } });
    const missing = await post('/prompt', { prompt: { ...graph, '5': { class_type: 'KSampler', inputs: { ...graph['5'].inputs, model: ['99', 0], seed: undefined } } } });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { type: string }; node_errors: Record<string, { errors: Array<{ type: string }> }> };
    expect(body.error.type).toBe('prompt_outputs_failed_validation');
    expect(body.node_errors['5']!.errors.map((e) => e.type).sort()).toEqual(['bad_linked_input', 'required_input_missing']);
    const noOutput = await post('/prompt', { prompt: { '1': graph['1'] } });
    expect(await noOutput.json()).toMatchObject({ error: { type: 'prompt_no_outputs' } });
  });

  it('runs a prompt: the websocket messages in order for its client, history with outputs, /view serving the image', async () => {
    const clientId = 'test-client';
    const socket = new WebSocket(`${fake.baseUrl.replace('http', 'ws')}/ws?clientId=${clientId}`);
    const messages: Array<{ type: string; data: Record<string, unknown> }> = [];
    socket.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data)) as (typeof messages)[number]));
    await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    const queued = (await (await post('/prompt', { prompt: graph, client_id: clientId })).json()) as { prompt_id: string; node_errors: object };
    expect(queued.node_errors).toEqual({});
    await expect.poll(() => messages.some((m) => m.type === 'execution_success')).toBe(true);
    socket.close();
    const types = messages.filter((m) => m.data.prompt_id === queued.prompt_id).map((m) => (m.type === 'executing' ? `executing:${String(m.data.node)}` : m.type));
    expect(types).toEqual([
      'execution_start', 'execution_cached', 'executing:1', 'executing:2', 'executing:3', 'executing:4', 'executing:5', 'progress', 'progress',
      'executing:6', 'executing:7', 'executed', 'executing:null', 'execution_success',
    ]);
    const history = (await (await fetch(`${fake.baseUrl}/history/${queued.prompt_id}`)).json()) as Record<string, { outputs: Record<string, { images: Array<{ filename: string }> }>; status: { status_str: string; completed: boolean } }>;
    const entry = history[queued.prompt_id]!;
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    const { filename } = entry.outputs['7']!.images[0]!;
    const image = await fetch(`${fake.baseUrl}/view?${new URLSearchParams({ filename, subfolder: '', type: 'output' })}`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${fake.baseUrl}/view?filename=../secret.png`)).status).toBe(400);
  });
});
