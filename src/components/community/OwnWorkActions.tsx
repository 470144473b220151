// An own work's actions (我的作品, its on-demand page): 发布 a draft or 撤回发布 a published work, 编辑 (the
// upload form in edit mode), 删除 (after a confirmation; the files follow after a grace period). Each
// action reloads the page (or goes to 我的作品 after a deletion) so the lists show the new state.
import { useState } from 'react';
import { ApiCallError, callApi } from './api.ts';
import { toast } from './toast.ts';

interface Props {
  artworkId: number;
  status: 'draft' | 'published';
  /** Where to go after deleting (the work's own page is gone). */
  afterDelete?: string;
}

export default function OwnWorkActions({ artworkId, status, afterDelete }: Props) {
  const [busy, setBusy] = useState(false);
  async function act(label: string, call: () => Promise<unknown>, then: () => void) {
    setBusy(true);
    try {
      await call();
      toast(`已${label}`, 'success');
      setTimeout(then, 400);
    } catch (error) {
      toast(`${label}失败：${error instanceof ApiCallError ? error.message : '请重试'}`, 'error');
      setBusy(false);
    }
  }
  const reload = () => window.location.reload();
  const publish = () => act('发布', () => callApi(`/api/artworks/${artworkId}/publish`, { method: 'POST', json: {} }), reload);
  const unpublish = () => act('撤回发布', () => callApi(`/api/artworks/${artworkId}/unpublish`, { method: 'POST', json: {} }), reload);
  function remove() {
    if (!window.confirm('删除后作品立即下线且无法恢复，确定删除吗？')) return;
    void act('删除', () => callApi(`/api/artworks/${artworkId}`, { method: 'DELETE' }), () => (afterDelete ? (window.location.href = afterDelete) : reload()));
  }
  return (
    <span className="own-actions">
      {status === 'draft' ? (
        <button type="button" className="button button--primary button--small" onClick={publish} disabled={busy}>
          {busy ? '处理中…' : '发布'}
        </button>
      ) : (
        <button type="button" className="button button--small" onClick={unpublish} disabled={busy}>
          撤回发布
        </button>
      )}
      <a className="button button--small" href={`/upload?edit=${artworkId}`}>
        编辑
      </a>
      <button type="button" className="button button--small" onClick={remove} disabled={busy}>
        删除
      </button>
    </span>
  );
}
