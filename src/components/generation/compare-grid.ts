// 对比生成 / 强度对比: submit every cell's job, show them in a labelled grid as they progress, and when all
// are done save the grid as one PNG (drawn on a canvas from the same-origin outputs) and its JSON.
import { comparisonJson, gridLayout, type ComparisonPlan } from '../../site/generation/comparison.ts';
import { exportText, safeFileName } from '../../site/generation/export-json.ts';
import type { RequestBody } from '../../site/generation/form-values.ts';
import { toast } from '../community/toast.ts';
import { watchJob, type JobView } from './generation-api.ts';
import { callErrorView, download, node, STATUS_LABELS } from './job-view.ts';

/** The longest side of a cell in the saved image. */
const CELL = 384;

function drawGrid(plan: ComparisonPlan, images: HTMLImageElement[]): Promise<Blob> {
  const first = plan.cells[0]!.request;
  const scale = CELL / Math.max(first.width, first.height);
  const cell = { width: Math.round(first.width * scale), height: Math.round(first.height * scale) };
  const layout = gridLayout(plan, cell);
  const canvas = node('canvas', { width: layout.width, height: layout.height });
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, layout.width, layout.height);
  ctx.fillStyle = '#111111';
  ctx.textBaseline = 'middle';
  ctx.font = 'bold 20px sans-serif';
  ctx.fillText(layout.title.text, layout.title.x, layout.title.y);
  ctx.font = '16px sans-serif';
  ctx.textAlign = 'center';
  for (const label of layout.columnLabels) ctx.fillText(label.text, label.x, label.y, cell.width);
  ctx.textAlign = 'left';
  for (const label of layout.rowLabels) ctx.fillText(label.text, label.x, label.y, 132);
  layout.cells.forEach((box, i) => {
    const image = images[i];
    if (image?.naturalWidth) ctx.drawImage(image, box.x, box.y, box.width, box.height);
    else {
      ctx.strokeStyle = '#999999';
      ctx.strokeRect(box.x, box.y, box.width, box.height);
    }
  });
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob failed'))), 'image/png'));
}

export async function runComparison(plan: ComparisonPlan, submit: (body: RequestBody) => Promise<{ job_id: string }>): Promise<void> {
  const grid = document.getElementById('gen-compare-grid')!;
  const png = document.getElementById('gen-compare-png') as HTMLButtonElement;
  const json = document.getElementById('gen-compare-json') as HTMLButtonElement;
  png.disabled = json.disabled = true;
  grid.style.setProperty('--columns', String(plan.columns.length));
  const heads = [node('span'), ...plan.columns.map((c) => node('strong', { className: 'gen-compare__head', textContent: c }))];
  const cells = plan.cells.map((cell) => {
    const status = node('span', { className: 'gen-compare__status', textContent: '提交中…' });
    const box = node('figure', { className: 'gen-compare__cell' }, [status]);
    box.dataset.label = `${cell.rowLabel} / ${cell.columnLabel}`;
    return { box, status };
  });
  const rows = plan.rows.flatMap((label, r) => [
    node('strong', { className: 'gen-compare__row', textContent: label }),
    ...cells.filter((_, i) => plan.cells[i]!.row === r).map((c) => c.box),
  ]);
  grid.replaceChildren(...heads, ...rows);
  grid.setAttribute('aria-busy', 'true');

  const jobs: Array<{ jobId: string; imageUrl: string | null }> = plan.cells.map(() => ({ jobId: '', imageUrl: null }));
  const images: HTMLImageElement[] = [];
  // One after another: the per-user rate limit counts submissions.
  for (const [i, cell] of plan.cells.entries()) jobs[i]!.jobId = (await submit(cell.request)).job_id;

  const finished = plan.cells.map(
    (_, i) =>
      new Promise<void>((resolve) => {
        const { box, status } = cells[i]!;
        watchJob(
          jobs[i]!.jobId,
          (job: JobView) => {
            status.textContent = `${STATUS_LABELS[job.status]}${job.status === 'running' ? ` ${Math.round(job.progress * 100)}%` : ''}`;
            if (job.status === 'complete' && job.images[0]) {
              jobs[i]!.imageUrl = job.images[0].url;
              const img = node('img', { src: job.images[0].url, alt: box.dataset.label ?? '', width: cell(job).width, height: cell(job).height, decoding: 'async' });
              images[i] = img;
              box.prepend(img);
              img.decode().then(resolve, resolve);
            } else if (job.status === 'failed' || job.status === 'cancelled') {
              status.textContent = `${STATUS_LABELS[job.status]}：${job.error?.message ?? ''}`;
              resolve();
            }
          },
          (error) => {
            status.textContent = callErrorView(error).title;
            resolve();
          },
        );
      }),
  );
  const cell = (job: JobView) => ({ width: job.request.width, height: job.request.height });
  await Promise.all(finished);
  grid.setAttribute('aria-busy', 'false');
  const stem = safeFileName(`huaku-${plan.kind === 'loras' ? 'lora-compare' : 'strength-compare'}-${jobs[0]!.jobId.slice(0, 8)}`, '');
  png.disabled = json.disabled = false;
  png.onclick = () =>
    void drawGrid(plan, images).then(
      (blob) => download(blob, `${stem}png`),
      () => toast('生成对比图失败', 'error'),
    );
  json.onclick = () => download(new Blob([exportText(comparisonJson(plan, jobs))], { type: 'application/json' }), `${stem}json`);
  toast('对比生成完成，可以保存对比图', 'success');
}
