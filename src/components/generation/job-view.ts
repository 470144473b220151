// One generation job as /generate and 我的生成 show it: status, progress bar, live log, the §11 error with
// a retry button where retrying helps, the outputs with their parameter snapshot, and the actions (cancel,
// rerun, export JSON, download, save to drafts → publish). DOM calls and textContent only: prompts are
// user text.
import { ApiCallError } from '../community/api.ts';
import { toast } from '../community/toast.ts';
import { apiErrorView, jobErrorView, type ShownError } from '../../site/generation/errors.ts';
import { exportRequest, exportText, safeFileName } from '../../site/generation/export-json.ts';
import { isFinal, publishArtwork, saveDrafts, type JobView } from './generation-api.ts';

export const STATUS_LABELS: Record<JobView['status'], string> = {
  queued: '排队中',
  running: '生成中',
  complete: '已完成',
  failed: '失败',
  cancelled: '已取消',
};

export function node<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Array<Node | string> = []) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

export function button(label: string, onClick: () => void, className = 'button button--small'): HTMLButtonElement {
  const b = node('button', { type: 'button', className, textContent: label });
  b.addEventListener('click', onClick);
  return b;
}

/** Save text as a file through a temporary object URL. */
export function download(data: Blob, fileName: string): void {
  const url = URL.createObjectURL(data);
  const link = node('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function errorBox(shown: ShownError, onRetry?: () => void): HTMLElement {
  const box = node('div', { className: 'gen-error' }, [node('strong', { textContent: shown.title }), node('p', { textContent: shown.detail })]);
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'gen-error';
  const actions = node('p', { className: 'gen-actions' });
  if (shown.retry && onRetry) actions.append(button('重试', onRetry, 'button button--small button--primary'));
  if (shown.action) actions.append(node('a', { className: 'button button--small', href: shown.action.href, textContent: shown.action.label }));
  if (actions.childElementCount > 0) box.append(actions);
  return box;
}

export function callErrorView(error: unknown): ShownError {
  return error instanceof ApiCallError ? apiErrorView(error.status, error.code, error.message) : apiErrorView(0, 'network', '');
}

/** The request as rows (the parameter snapshot). */
export function paramSnapshot(job: Pick<JobView, 'request' | 'provider'>): HTMLElement {
  const r = job.request;
  const rows: Array<[string, string]> = [
    ['基础模型', r.checkpoint?.name || r.checkpoint?.id || '—'],
    ['LoRA', r.loras.length ? r.loras.map((l) => `${l.name ?? l.id} × ${l.weight}`).join('、') : '无'],
    ['提示词', r.prompt],
    ['反向提示词', r.negativePrompt || '—'],
    ['采样器', r.sampler],
    ['步数', String(r.steps)],
    ['CFG', String(r.cfgScale)],
    ['尺寸', `${r.width} × ${r.height}`],
    ['种子', String(r.seed)],
    ['张数', String(r.batch)],
  ];
  if (job.provider) rows.push(['生成服务', job.provider]);
  const list = node('dl', { className: 'gen-params' }, rows.flatMap(([k, v]) => [node('dt', { textContent: k }), node('dd', { textContent: v })]));
  list.dataset.testid = 'gen-params';
  return list;
}

export interface JobActions {
  /** Submit the same request again (same seed unless `randomSeed`). */
  rerun(randomSeed: boolean): void;
  cancel(): void;
}

function savedRow(saved: { artwork_id: number; page_url: string }, label: string): HTMLElement {
  const row = node('li', {}, [node('a', { href: saved.page_url, textContent: label })]);
  const publish = button('发布', async () => {
    publish.disabled = true;
    try {
      await publishArtwork(saved.artwork_id);
      publish.replaceWith(node('span', { className: 'gen-done', textContent: '已发布' }));
      toast('已发布，作品已出现在作品流中', 'success');
    } catch (error) {
      publish.disabled = false;
      toast(`发布失败：${callErrorView(error).detail}`, 'error');
    }
  }, 'button button--small button--primary');
  row.append(' ', publish);
  return row;
}

async function save(job: JobView, images: number[] | undefined, into: HTMLElement, trigger: HTMLButtonElement): Promise<void> {
  trigger.disabled = true;
  try {
    const saved = await saveDrafts(job.job_id, images);
    into.hidden = false;
    for (const [i, artwork] of saved.artworks.entries()) into.append(savedRow(artwork, `草稿 ${images?.[i] !== undefined ? images[i]! + 1 : i + 1}`));
    toast('已保存到草稿', 'success');
  } catch (error) {
    trigger.disabled = false;
    toast(`保存失败：${callErrorView(error).detail}`, 'error');
  }
}

/** The whole job, re-rendered on every update (jobs are small). */
export function renderJob(job: JobView, actions: JobActions): HTMLElement {
  const view = node('div', { className: 'gen-job' });
  view.dataset.jobId = job.job_id;
  view.dataset.status = job.status;
  const percent = Math.round(job.progress * 100);
  const status = node('p', { className: 'gen-status' }, [
    node('strong', { textContent: STATUS_LABELS[job.status] }),
    job.status === 'running' || job.status === 'queued' ? ` · ${percent}%` : '',
    job.provider ? ` · ${job.provider}` : '',
  ]);
  status.dataset.testid = 'gen-status';
  const bar = node('progress', { max: 1, value: job.progress });
  bar.setAttribute('aria-label', `进度 ${percent}%`);
  view.append(status, bar);

  if (job.status === 'failed' || job.status === 'cancelled') {
    view.append(errorBox(job.status === 'cancelled' ? jobErrorView('cancelled', null) : jobErrorView(job.error?.kind, job.error?.message), () => actions.rerun(false)));
  }

  const drafts = node('ul', { className: 'gen-drafts' });
  drafts.hidden = true;
  drafts.dataset.testid = 'gen-drafts';
  if (job.images.length > 0) {
    const outputs = node('div', { className: 'gen-outputs' });
    for (const image of job.images) {
      const name = safeFileName(`huaku-${job.job_id}-${image.index}`, 'png');
      const saveOne = button('保存到草稿', () => void save(job, [image.index], drafts, saveOne));
      outputs.append(
        node('figure', { className: 'gen-output' }, [
          node('a', { href: image.url, target: '_blank' }, [node('img', { src: image.url, alt: `生成结果 ${image.index + 1}（种子 ${image.seed}）`, width: job.request.width, height: job.request.height, decoding: 'async' })]),
          node('figcaption', {}, [`#${image.index + 1} · 种子 ${image.seed} `, node('a', { className: 'button button--small', href: image.url, download: name, textContent: '下载' }), ' ', saveOne]),
        ]),
      );
    }
    view.append(outputs);
  }

  const bar2 = node('p', { className: 'gen-actions' });
  if (!isFinal(job.status)) bar2.append(button('取消', () => actions.cancel()));
  else {
    bar2.append(button('再次生成（相同参数）', () => actions.rerun(false)), button('换个种子再生成', () => actions.rerun(true)));
  }
  bar2.append(button('导出 JSON', () => download(new Blob([exportText(exportRequest(job.request))], { type: 'application/json' }), safeFileName(`huaku-${job.job_id}`, 'json'))));
  if (job.status === 'complete' && job.images.length > 1) {
    const all = button('全部保存到草稿', () => void save(job, undefined, drafts, all));
    bar2.append(all);
  }
  view.append(bar2, drafts);

  view.append(node('details', { className: 'gen-snapshot' }, [node('summary', { textContent: '参数快照' }), paramSnapshot(job)]));
  if (job.log.length > 0) {
    const log = node('ol', { className: 'gen-log' }, job.log.map((line) => node('li', { textContent: line })));
    log.dataset.testid = 'gen-log';
    view.append(node('details', { className: 'gen-log-box', open: !isFinal(job.status) }, [node('summary', { textContent: `日志（${job.log.length}）` }), log]));
  }
  return view;
}
