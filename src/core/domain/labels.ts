// Display labels of domain values, shared by the site and the ingest reports.
import type { WorkSource } from '../snapshot/schema.ts';

export const SOURCE_LABELS: Record<WorkSource, string> = {
  liblib: 'Liblib',
  civitai: 'Civitai',
  modelscope: 'ModelScope',
  community: '社区',
};
