// Upload with preview: pick an image (JPEG/PNG/WebP) or a video (MP4/MOV/WebM; checked in the browser only
// for convenience: the server decides), see it, add a title and prompt, upload as a draft, then publish it from here or later
// from "我的作品".
import { useEffect, useState, type ChangeEvent, type SubmitEvent } from 'react';
import { ApiCallError, callApi, goToLogin } from './api.ts';
import { toast } from './toast.ts';

interface Props {
  maxMb: number;
  /** The video limit (VIDEO_MAX_MB); images keep maxMb. */
  maxVideoMb?: number;
}

interface Uploaded {
  artwork_id: number;
  page_url: string;
  status: string;
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const ACCEPT = [...IMAGE_TYPES, ...VIDEO_TYPES];

export default function UploadForm({ maxMb, maxVideoMb = maxMb }: Props) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0] ?? null;
    setError(null);
    setUploaded(null);
    const video = chosen !== null && VIDEO_TYPES.includes(chosen.type);
    const limitMb = video ? maxVideoMb : maxMb;
    if (chosen && !ACCEPT.includes(chosen.type)) setError('请选择 JPEG、PNG、WebP 图片或 MP4、WebM 视频');
    else if (chosen && chosen.size > limitMb * 1024 * 1024) setError(`文件超过 ${limitMb} MB 上限`);
    setFile(chosen);
    setPreview(chosen ? URL.createObjectURL(chosen) : null);
  }

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      setError('请先选择图片或视频');
      return;
    }
    const data = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const result = await callApi<Uploaded>('/api/artworks/upload', { method: 'POST', body: data });
      setUploaded(result);
      toast('上传成功，已保存为草稿', 'success');
    } catch (caught) {
      const message = caught instanceof ApiCallError ? caught.message : '上传失败，请重试';
      setError(message);
      toast(`上传失败：${message}`, 'error');
      if (caught instanceof ApiCallError && caught.status === 401) goToLogin();
    } finally {
      setBusy(false);
    }
  }

  async function publish() {
    if (!uploaded) return;
    setBusy(true);
    try {
      await callApi(`/api/artworks/${uploaded.artwork_id}/publish`, { method: 'POST', json: {} });
      setUploaded({ ...uploaded, status: 'published' });
      toast('已发布，作品已出现在作品流中', 'success');
    } catch (caught) {
      toast(`发布失败：${caught instanceof ApiCallError ? caught.message : '请重试'}`, 'error');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form upload-form" onSubmit={submit}>
      <label className="upload-form__picker">
        选择图片（JPEG、PNG、WebP，最大 {maxMb} MB）或视频（MP4、WebM，最大 {maxVideoMb} MB）
        <input name="file" type="file" accept={ACCEPT.join(',')} onChange={choose} required />
      </label>
      {preview && file && VIDEO_TYPES.includes(file.type) ? (
        <video className="upload-form__preview" src={preview} muted controls playsInline preload="metadata" />
      ) : (
        preview && <img className="upload-form__preview" src={preview} alt="预览" />
      )}
      <label>
        标题
        <input className="input" name="title" maxLength={100} placeholder="给作品起个名字" />
      </label>
      <label>
        提示词（可选）
        <textarea className="input" name="prompt" maxLength={4000} rows={3} />
      </label>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {!uploaded && (
        <button type="submit" className="button button--primary" disabled={busy || !file}>
          {busy ? '上传中…' : '上传为草稿'}
        </button>
      )}
      {uploaded && (
        <div className="upload-form__done">
          <p>
            {uploaded.status === 'published' ? '已发布。' : '已保存为草稿。'}
            <a href={uploaded.page_url}>查看作品</a> · <a href="/me">我的作品</a>
          </p>
          {uploaded.status !== 'published' && (
            <button type="button" className="button button--primary" onClick={publish} disabled={busy}>
              发布
            </button>
          )}
        </div>
      )}
    </form>
  );
}
