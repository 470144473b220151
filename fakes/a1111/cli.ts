// Starts the fake A1111/Forge WebUI API for manual use (see fakes/shared/generation-cli.ts for the shared flags):
//   node fakes/a1111/cli.ts [--port 0] [--api-auth user:pass] [--step-ms 150] [--outcomes failed] [--faults JSON]
import { announce, generationCli, GENERATION_CLI_USAGE } from '../shared/generation-cli.ts';
import { startFakeA1111 } from './server.ts';

const { cli, options } = generationCli(`usage: node fakes/a1111/cli.ts ${GENERATION_CLI_USAGE} [--api-auth user:pass]`, { 'api-auth': { type: 'string' } });
const apiAuth = cli.values['api-auth'] as string | undefined;
if (apiAuth !== undefined && !/^[^:]+:.+$/.test(apiAuth)) cli.fail('--api-auth must be user:pass');
const fake = await startFakeA1111({ ...options, apiAuth });
const base = apiAuth ? fake.baseUrl.replace('://', `://${apiAuth}@`) : fake.baseUrl;
announce(fake, [
  `fake A1111 WebUI (--api)${apiAuth ? ', HTTP Basic auth on' : ''}`,
  `generate: GENERATION_PROVIDERS=a1111 A1111_BASE_URL=${base} npm run ingest -- generate --model sd_xl_base_1.0.safetensors --prompt "a red car"`,
]);
