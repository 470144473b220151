// The three generation fakes together, for the offline demo (`npm run start`) and end-to-end tests: started
// on random local ports, with the configuration that points Huaku's providers at them.
import { startFakeA1111, type FakeA1111 } from '../a1111/server.ts';
import { startFakeComfyUI, type FakeComfyUI } from '../comfyui/server.ts';
import { startFakeModelScopeInference, type FakeModelScopeInference } from '../modelscope-inference/server.ts';
import type { GenerationFakeOptions } from '../shared/generation-fake.ts';

export interface DemoGenerationFakes {
  modelscope: FakeModelScopeInference;
  a1111: FakeA1111;
  comfyui: FakeComfyUI;
  /** Environment for the server or CLI: every provider on its fake, ModelScope first (with the fake's token). */
  env: Record<'GENERATION_PROVIDERS' | 'MODELSCOPE_INFERENCE_BASE' | 'MODELSCOPE_API_TOKEN' | 'A1111_BASE_URL' | 'COMFYUI_BASE_URL', string>;
  close(): Promise<void>;
}

export async function startDemoGenerationFakes(options: Omit<GenerationFakeOptions, 'port'> = {}): Promise<DemoGenerationFakes> {
  const [modelscope, a1111, comfyui] = await Promise.all([startFakeModelScopeInference(options), startFakeA1111(options), startFakeComfyUI(options)]);
  return {
    modelscope,
    a1111,
    comfyui,
    env: {
      GENERATION_PROVIDERS: 'modelscope,a1111,comfyui',
      MODELSCOPE_INFERENCE_BASE: modelscope.baseUrl,
      MODELSCOPE_API_TOKEN: modelscope.token,
      A1111_BASE_URL: a1111.baseUrl,
      COMFYUI_BASE_URL: comfyui.baseUrl,
    },
    close: async () => {
      await Promise.all([modelscope.close(), a1111.close(), comfyui.close()]);
    },
  };
}
