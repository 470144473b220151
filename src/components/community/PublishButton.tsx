// "发布" on a draft in 我的作品: publish, then reload so the work moves to the published list.
import { useState } from 'react';
import { ApiCallError, callApi } from './api.ts';
import { toast } from './toast.ts';

export default function PublishButton({ artworkId }: { artworkId: number }) {
  const [busy, setBusy] = useState(false);
  async function publish() {
    setBusy(true);
    try {
      await callApi(`/api/artworks/${artworkId}/publish`, { method: 'POST', json: {} });
      toast('已发布', 'success');
      setTimeout(() => window.location.reload(), 400);
    } catch (error) {
      toast(`发布失败：${error instanceof ApiCallError ? error.message : '请重试'}`, 'error');
      setBusy(false);
    }
  }
  return (
    <button type="button" className="button button--primary button--small" onClick={publish} disabled={busy}>
      {busy ? '发布中…' : '发布'}
    </button>
  );
}
