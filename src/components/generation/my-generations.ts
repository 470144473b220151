// 我的生成: the user's jobs a page at a time from the API, each with its status, outputs and parameter
// snapshot; running ones follow live; 再次生成 opens the new job in /generate.
import { toast } from '../community/toast.ts';
import { cancelJob, isFinal, myJobs, rerunJob, watchJob, type JobView } from './generation-api.ts';
import { callErrorView, errorBox, node, renderJob } from './job-view.ts';

const list = document.getElementById('jobs')!;
const status = document.getElementById('jobs-status')!;
const more = document.getElementById('jobs-more') as HTMLButtonElement;
let cursor: string | null = null;

function item(job: JobView): HTMLElement {
  const li = node('li', { className: 'card card--padded' });
  const when = new Date(job.created_at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  const head = node('p', { className: 'gen-inline' }, [
    node('strong', { textContent: job.request.prompt.slice(0, 60) || '（无提示词）' }),
    node('span', { className: 'gen-muted', textContent: when }),
    node('a', { className: 'button button--small', href: `/generate#job=${encodeURIComponent(job.job_id)}`, textContent: '在生成页打开' }),
  ]);
  const body = node('div');
  const actions = {
    rerun: (randomSeed: boolean) =>
      void rerunJob(job.job_id, randomSeed).then(
        (r) => location.assign(`/generate#job=${encodeURIComponent(r.job_id)}`),
        (error: unknown) => toast(`重新生成失败：${callErrorView(error).detail}`, 'error'),
      ),
    cancel: () => void cancelJob(job.job_id).then(show, (error: unknown) => toast(`取消失败：${callErrorView(error).detail}`, 'error')),
  };
  function show(view: JobView): void {
    body.replaceChildren(renderJob(view, actions));
  }
  show(job);
  if (!isFinal(job.status)) watchJob(job.job_id, show, () => undefined);
  li.append(head, body);
  li.dataset.jobId = job.job_id;
  return li;
}

async function load(): Promise<void> {
  more.disabled = true;
  try {
    const page = await myJobs(cursor ?? undefined);
    list.append(...page.items.map(item));
    cursor = page.next_cursor;
    more.hidden = cursor === null;
    status.textContent = list.childElementCount === 0 ? '还没有生成任务。' : `共显示 ${list.childElementCount} 个任务`;
  } catch (error) {
    status.replaceChildren(errorBox(callErrorView(error), () => void load()));
  } finally {
    more.disabled = false;
  }
}

more.addEventListener('click', () => void load());
void load();
