import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeA1111, type FakeA1111 } from './server.ts';

let fake: FakeA1111;
beforeAll(async () => {
  fake = await startFakeA1111({ stepMs: 1, progressSteps: 2 });
});
afterAll(async () => {
  await fake?.close();
});

describe('fake A1111', () => {
  it('txt2img answers base64 PNGs with a grid first for a batch, and info as a JSON string with every seed', async () => {
    const response = await fetch(`${fake.baseUrl}/sdapi/v1/txt2img`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a red car, <lora:ink:0.6>', seed: 10, width: 256, height: 320, batch_size: 2, steps: 4 }),
    });
    const body = (await response.json()) as { images: string[]; info: string };
    const info = JSON.parse(body.info) as { all_seeds: number[]; index_of_first_image: number };
    expect(info).toMatchObject({ all_seeds: [10, 11], index_of_first_image: 1 });
    expect(body.images).toHaveLength(3);
    expect(await sharp(Buffer.from(body.images[1]!, 'base64')).metadata()).toMatchObject({ format: 'png', width: 256, height: 320 });
    const bad = await fetch(`${fake.baseUrl}/sdapi/v1/txt2img`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'x', width: 99999 }) });
    expect(bad.status).toBe(422);
  });

  it('progress reports the idle state and the model list answers', async () => {
    expect(await (await fetch(`${fake.baseUrl}/sdapi/v1/progress`)).json()).toMatchObject({ progress: 0, state: { job_count: 0 } });
    expect(((await (await fetch(`${fake.baseUrl}/sdapi/v1/sd-models`)).json()) as unknown[]).length).toBeGreaterThan(0);
  });
});
