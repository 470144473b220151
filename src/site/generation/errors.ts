// The §11 error table in Chinese: what a failed call or a failed job tells the user, and whether a retry
// button helps. One place for both the API's HTTP errors and a job's failure kind
// (GenerationFailureKind of src/core/generation/generation-provider.ts).
import type { GenerationFailureKind } from '../../core/generation/generation-provider.ts';

export interface ShownError {
  title: string;
  detail: string;
  /** A retry button is shown: trying again may work (network, timeout, busy upstream). */
  retry: boolean;
  /** Where to fix it, when the fix is elsewhere (sign in, paste a key). */
  action?: { label: string; href: string };
}

/** A failed API call (`{error: {code, message}}` with a status; status 0 = no network). */
export function apiErrorView(status: number, code: string, message: string): ShownError {
  if (status === 0) return { title: '无网络连接', detail: '无法连接到服务器，请检查网络后重试。', retry: true };
  if (status === 401) return { title: '请先登录', detail: '登录后才能生成图片。', retry: false, action: { label: '登录', href: '/login?next=/generate' } };
  if (status === 400 || status === 422) return { title: '参数超出范围', detail: message || '请按提示修改参数后再提交。', retry: false };
  if (status === 403) return { title: '没有权限', detail: message || '你没有权限进行这个操作。', retry: false };
  if (status === 404) return { title: '任务不存在', detail: message || '这个生成任务不存在或已被删除。', retry: false };
  if (status === 408 || status === 504 || code === 'timeout') return { title: '请求超时', detail: '服务器太久没有响应，请稍后重试。', retry: true };
  if (status === 429) return { title: '请求过于频繁', detail: message || '已达到生成次数上限，请稍后再试。', retry: true };
  if (status >= 500) return { title: '服务暂时不可用', detail: message || '服务器出错了，请稍后重试。', retry: true };
  return { title: '请求失败', detail: message || `请求失败（${status}）`, retry: true };
}

/** A job that ended `failed`, by the kind of failure the server recorded. */
export function jobErrorView(kind: GenerationFailureKind | 'timeout' | 'interrupted' | 'no_provider' | (string & {}) | null | undefined, message: string | null | undefined): ShownError {
  const detail = message?.trim() || '';
  switch (kind) {
    case 'auth':
      return { title: '请配置 API Key', detail: detail || '生成服务拒绝了鉴权：请在下方「远程生成设置」中填写 ModelScope API Key，或请管理员配置。', retry: false, action: { label: '填写 API Key', href: '#api-key' } };
    case 'quota':
      return { title: '额度已用完或请求过多', detail: detail || '远程生成服务的额度或频率已达上限，请稍后重试或换用其他服务。', retry: true };
    case 'timeout':
      return { title: '请求超时', detail: detail || '生成服务太久没有响应。', retry: true };
    case 'unavailable':
      return { title: '生成服务暂时不可用', detail: detail || '生成服务无法连接或出错，请稍后重试。', retry: true };
    case 'malformed':
      return { title: '生成结果无法读取', detail: detail || '生成服务返回了无法识别的结果，可以重试一次。', retry: true };
    case 'unsupported':
      return { title: '生成服务不支持这些参数', detail: detail || '请调整参数，或在「远程生成设置」中换用其他生成服务。', retry: false };
    case 'interrupted':
      return { title: '任务被服务器重启中断', detail: detail || '服务器重启时任务未能完成，可以重试。', retry: true };
    case 'no_provider':
      return { title: '没有可用的生成服务', detail: detail || '服务器没有配置可用的生成服务，请联系管理员。', retry: false };
    case 'cancelled':
      return { title: '已取消', detail: detail || '这个任务已取消。', retry: true };
    case 'failed':
      return { title: '生成失败', detail: detail || '生成服务没能完成这个任务：可以修改提示词或参数后再试。', retry: true };
    default:
      return { title: '生成失败', detail: detail || '任务失败，原因未知。', retry: true };
  }
}
