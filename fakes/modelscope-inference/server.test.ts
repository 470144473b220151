import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelScopeInference, type FakeModelScopeInference } from './server.ts';

let fake: FakeModelScopeInference;
beforeAll(async () => {
  fake = await startFakeModelScopeInference({ stepMs: 1, progressSteps: 2 });
});
afterAll(async () => {
  await fake?.close();
});

const submit = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${fake.baseUrl}/v1/images/generations`, {
    method: 'POST', headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json', 'x-modelscope-async-mode': 'true', ...headers }, body: JSON.stringify(body),
  });

describe('fake ModelScope API-Inference', () => {
  it('checks the token, the async header and the parameter table', async () => {
    expect((await submit({ model: 'm', prompt: 'p' }, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await submit({ model: 'm', prompt: 'p' }, { 'x-modelscope-async-mode': 'false' })).status).toBe(400);
    for (const bad of [{ prompt: 'p' }, { model: 'm', prompt: 'p', seed: 2 ** 31 }, { model: 'm', prompt: 'p', size: '4096x64' }, { model: 'm', prompt: 'p', loras: { a: 0.5, b: 0.2 } }]) {
      const response = await submit(bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(await response.json()).toMatchObject({ errors: { code: 'InvalidParameter' } });
    }
  });

  it('a task goes PENDING/RUNNING → SUCCEED with output_images; polling needs the task-type header', async () => {
    const { task_id } = (await (await submit({ model: 'm', prompt: '一只猫', size: '256x256', seed: 5, loras: { a: 0.5, b: 0.5 } })).json()) as { task_id: string };
    const poll = (headers: Record<string, string> = { 'x-modelscope-task-type': 'image_generation' }) =>
      fetch(`${fake.baseUrl}/v1/tasks/${task_id}`, { headers: { authorization: `Bearer ${fake.token}`, ...headers } });
    expect((await poll({})).status).toBe(400);
    let view: { task_status: string; output_images?: string[] } = { task_status: '' };
    await expect.poll(async () => (view = (await (await poll()).json()) as typeof view).task_status).toBe('SUCCEED');
    const image = await fetch(view.output_images![0]!);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(fake.requests.at(-1)).toMatchObject({ kind: 'image', authorization: null });
  });
});
