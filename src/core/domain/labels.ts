// Display labels of domain values, shared by the site and the ingest reports.
import type { WorkSource } from '../snapshot/schema.ts';
import type { ErrorKind, RunStatus } from './enums.ts';

export const SOURCE_LABELS: Record<WorkSource, string> = {
  liblib: 'Liblib',
  civitai: 'Civitai',
  modelscope: 'ModelScope',
  community: '社区',
};

/** How a crawl unit failed (src/core/domain/enums.ts ERROR_KINDS), for /admin/runs. */
export const ERROR_KIND_LABELS: Record<ErrorKind, string> = {
  network: '网络',
  http: 'HTTP',
  timeout: '超时',
  contract: '格式不符',
  media: '图片',
  internal: '内部错误',
};

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  RUNNING: '运行中',
  SUCCESS: '成功',
  FAILED: '失败',
  ABORTED: '已中断',
};
