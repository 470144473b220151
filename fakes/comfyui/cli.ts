// Starts the fake ComfyUI server for manual use (see fakes/shared/generation-cli.ts for the shared flags):
//   node fakes/comfyui/cli.ts [--port 0] [--step-ms 150] [--outcomes failed] [--faults JSON] [--proxy-token T]
import { announce, generationCli, GENERATION_CLI_USAGE } from '../shared/generation-cli.ts';
import { startFakeComfyUI } from './server.ts';

const { cli, options } = generationCli(`usage: node fakes/comfyui/cli.ts ${GENERATION_CLI_USAGE} [--proxy-token TOKEN]`, { 'proxy-token': { type: 'string' } });
const fake = await startFakeComfyUI({ ...options, proxyToken: cli.values['proxy-token'] as string | undefined });
announce(fake, [
  'fake ComfyUI (websocket progress at /ws?clientId=)',
  `generate: GENERATION_PROVIDERS=comfyui COMFYUI_BASE_URL=${fake.baseUrl} npm run ingest -- generate --model sd_xl_base_1.0.safetensors --prompt "a red car"`,
]);
