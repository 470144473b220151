// Starts the fake ModelScope API-Inference for manual use (see fakes/shared/generation-cli.ts for the shared flags):
//   node fakes/modelscope-inference/cli.ts [--port 0] [--token T] [--step-ms 150] [--outcomes failed] [--faults JSON]
import { announce, generationCli, GENERATION_CLI_USAGE } from '../shared/generation-cli.ts';
import { startFakeModelScopeInference } from './server.ts';

const { cli, options } = generationCli(`usage: node fakes/modelscope-inference/cli.ts ${GENERATION_CLI_USAGE} [--token TOKEN]`, { token: { type: 'string' } });
const fake = await startFakeModelScopeInference({ ...options, token: cli.values.token as string | undefined });
announce(fake, [
  `fake ModelScope API-Inference; token ${fake.token}`,
  `generate: GENERATION_PROVIDERS=modelscope MODELSCOPE_INFERENCE_BASE=${fake.baseUrl} MODELSCOPE_API_TOKEN=${fake.token} npm run ingest -- generate --model demo/model --prompt "水墨山水"`,
]);
