import type { SourceInspector } from '../source-inspector.ts';
import { normalizeModelsPage } from './normalize.ts';

/**
 * `ingest inspect --source modelscope --endpoint models --file F`: F is a whole `dolphin/models` response.
 * Prints the records the Top-LoRAs run would keep (task taken from each item) and the skipped items with
 * their JSON paths; a drifted envelope is a contract error.
 */
export const modelscopeInspector: SourceInspector = {
  endpoints: ['models'],
  inspect(_endpoint, payload) {
    const page = normalizeModelsPage(payload, '(from file)');
    if (!page.ok) return { refused: `Code ${page.code}: ${page.message}${page.unauthorized ? ' (请配置 API Key: MODELSCOPE_API_TOKEN)' : ''}` };
    return { records: { totalCount: page.totalCount, items: page.itemCount, results: page.records, skipped: page.skipped } };
  },
};
