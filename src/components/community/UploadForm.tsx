// Upload (or edit) a work with its full recipe: pick one or more images (JPEG/PNG/WebP) or videos
// (MP4/MOV/WebM; checked in the browser only for convenience: the server decides), see them, and the form
// fills itself from the cover image's own generation parameters (A1111 PNG chunk or EXIF UserComment) when
// it has them; checkpoint and LoRAs are offered from the site's catalogue. Upload saves a draft, to publish
// from here or from 我的作品. In edit mode (`edit`), the files stay and the fields are saved with PATCH.
// Errors show once, in place.
import { useEffect, useState, type ChangeEvent, type SubmitEvent } from 'react';
import { ApiCallError, callApi, goToLogin } from './api.ts';
import { toast } from './toast.ts';
import { emptyForm, formLora, formMeta, NSFW_CHOICES, prefillFromImage, type FormState, type UploadCatalogue } from '../../site/upload-form.ts';

interface Props {
  maxMb: number;
  /** The video limit (VIDEO_MAX_MB); images keep maxMb. */
  maxVideoMb?: number;
  maxFiles: number;
  /** Editing this own work: its current values. */
  edit?: { id: number; pageUrl: string; values: FormState } | undefined;
}

interface Uploaded {
  artwork_id: number;
  page_url: string;
  status: string;
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const ACCEPT = [...IMAGE_TYPES, ...VIDEO_TYPES];
const SAMPLERS = ['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ 2M Karras', 'DPM++ SDE Karras', 'DPM++ 2M SDE', 'DDIM', 'UniPC', 'LCM'];
const isVideo = (file: File) => VIDEO_TYPES.includes(file.type);

export default function UploadForm({ maxMb, maxVideoMb = maxMb, maxFiles, edit }: Props) {
  const [files, setFiles] = useState<File[]>([]);
  const [previews, setPreviews] = useState<string[]>([]);
  const [values, setValues] = useState<FormState>(edit?.values ?? emptyForm());
  const [catalogue, setCatalogue] = useState<UploadCatalogue>({ loras: [], checkpoints: [] });
  const [prefilled, setPrefilled] = useState(false);
  const [busy, setBusy] = useState(false);
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  /** A refused file: the upload stays disabled until another choice is made. */
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetch('/upload-catalogue.json')
      .then((response) => (response.ok ? (response.json() as Promise<UploadCatalogue>) : null))
      .then((loaded) => loaded && setCatalogue(loaded))
      .catch(() => undefined); // without the catalogue, names are typed by hand
  }, []);
  useEffect(() => () => previews.forEach((url) => URL.revokeObjectURL(url)), [previews]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setValues((current) => ({ ...current, [key]: value }));
  const field = (key: Exclude<keyof FormState, 'loras' | 'nsfwLevel'>) => ({
    name: key,
    value: values[key],
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set(key, event.target.value),
  });

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = [...(event.target.files ?? [])];
    setError(null);
    setFileError(null);
    setUploaded(null);
    setPrefilled(false);
    // The server's request limit: the largest file allowed plus one more image's worth (upload.ts).
    const totalMb = Math.max(maxMb, maxVideoMb) + maxMb;
    const tooBig = chosen.find((f) => f.size > (isVideo(f) ? maxVideoMb : maxMb) * 1024 * 1024);
    const refused =
      chosen.length > maxFiles ? `一件作品最多 ${maxFiles} 个文件`
      : chosen.find((f) => !ACCEPT.includes(f.type)) ? '请选择 JPEG、PNG、WebP 图片或 MP4、WebM 视频'
      : tooBig ? `文件超过 ${isVideo(tooBig) ? maxVideoMb : maxMb} MB 上限`
      : chosen.reduce((sum, f) => sum + f.size, 0) > totalMb * 1024 * 1024 ? `所有文件合计不能超过 ${totalMb} MB`
      : null;
    setFileError(refused);
    setFiles(refused ? [] : chosen);
    setPreviews(refused ? [] : chosen.map((f) => URL.createObjectURL(f)));
    // Only an image carries generation parameters; a video cover leaves the form as it is.
    if (refused || !chosen[0] || isVideo(chosen[0])) return;
    const found = prefillFromImage(new Uint8Array(await chosen[0].arrayBuffer()), catalogue);
    if (found) {
      setValues((current) => ({ ...current, ...found }));
      setPrefilled(true);
    }
  }

  function failed(caught: unknown, fallback: string) {
    setError(caught instanceof ApiCallError ? caught.message : fallback);
    if (caught instanceof ApiCallError && caught.status === 401) goToLogin();
  }

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!edit && files.length === 0) {
      setError('请先选择图片或视频');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (edit) {
        await callApi(`/api/artworks/${edit.id}`, { method: 'PATCH', json: formMeta(values) });
        toast('已保存修改', 'success');
        window.location.href = edit.pageUrl;
        return;
      }
      const data = new FormData();
      for (const file of files) data.append('file', file);
      data.set('meta', JSON.stringify(formMeta(values)));
      setUploaded(await callApi<Uploaded>('/api/artworks/upload', { method: 'POST', body: data }));
      toast('上传成功，已保存为草稿', 'success');
    } catch (caught) {
      failed(caught, edit ? '保存失败，请重试' : '上传失败，请重试');
    } finally {
      setBusy(false);
    }
  }

  async function publish() {
    if (!uploaded) return;
    setBusy(true);
    setError(null);
    try {
      await callApi(`/api/artworks/${uploaded.artwork_id}/publish`, { method: 'POST', json: {} });
      setUploaded({ ...uploaded, status: 'published' });
      toast('已发布，作品已出现在作品流中', 'success');
    } catch (caught) {
      failed(caught, '发布失败，请重试');
    } finally {
      setBusy(false);
    }
  }

  const setLora = (index: number, change: Partial<FormState['loras'][number]>) =>
    set('loras', values.loras.map((lora, i) => (i === index ? { ...lora, ...change } : lora)));

  return (
    <form className="form upload-form" onSubmit={submit} noValidate>
      {!edit && (
        <label className="upload-form__picker">
          选择图片或视频（JPEG、PNG、WebP 每个最大 {maxMb} MB，MP4、WebM 每个最大 {maxVideoMb} MB；最多 {maxFiles} 个，第一个为封面）
          <input name="file" type="file" accept={ACCEPT.join(',')} multiple onChange={choose} required />
        </label>
      )}
      {fileError && (
        <p className="field__error" role="alert">
          {fileError}
        </p>
      )}
      {previews.length > 0 && (
        <div className="upload-form__previews">
          {previews.map((url, i) => {
            const label = i === 0 ? '预览（封面）' : `预览（第 ${i + 1} 个）`;
            return isVideo(files[i]!) ? (
              <video key={url} className="upload-form__preview" src={url} aria-label={label} muted controls playsInline preload="metadata" />
            ) : (
              <img key={url} className="upload-form__preview" src={url} alt={label} />
            );
          })}
        </div>
      )}
      {prefilled && <p className="notice" data-testid="prefilled">已从图片读取生成参数，可在下方修改。</p>}
      <label>
        标题
        <input className="input" maxLength={100} placeholder="给作品起个名字" {...field('title')} />
      </label>
      <fieldset className="upload-form__recipe">
        <legend>生成参数（可选）</legend>
        <label>
          提示词
          <textarea className="input" maxLength={4000} rows={3} {...field('prompt')} />
        </label>
        <label>
          反向提示词
          <textarea className="input" maxLength={4000} rows={2} {...field('negativePrompt')} />
        </label>
        <div className="upload-form__row">
          <label>
            采样器
            <input className="input" list="upload-samplers" maxLength={100} {...field('sampler')} />
          </label>
          <label>
            步数
            <input className="input" inputMode="numeric" {...field('steps')} />
          </label>
          <label>
            CFG
            <input className="input" inputMode="decimal" {...field('cfgScale')} />
          </label>
        </div>
        <div className="upload-form__row">
          <label>
            宽度
            <input className="input" inputMode="numeric" {...field('width')} />
          </label>
          <label>
            高度
            <input className="input" inputMode="numeric" {...field('height')} />
          </label>
          <label>
            种子
            <input className="input" inputMode="numeric" {...field('seed')} />
          </label>
        </div>
        <label>
          基础模型（Checkpoint）
          <input className="input" list="upload-checkpoints" maxLength={200} placeholder="从模型库选择或输入名称" {...field('checkpoint')} />
        </label>
        <div className="upload-form__loras" role="group" aria-label="LoRA 与权重">
          <span>LoRA 与权重</span>
          {values.loras.map((lora, i) => (
            <div className="upload-form__lora" key={i} data-testid="lora-row">
              <input
                className="input"
                aria-label={`LoRA ${i + 1} 名称`}
                list="upload-loras"
                value={lora.name}
                onChange={(event) => {
                  const linked = formLora(catalogue, event.target.value, lora.weight);
                  setLora(i, { name: event.target.value, id: linked.id, externalId: linked.externalId });
                }}
              />
              <input className="input" aria-label={`LoRA ${i + 1} 权重`} inputMode="decimal" value={lora.weight} onChange={(event) => setLora(i, { weight: event.target.value })} />
              <button type="button" className="button button--small" onClick={() => set('loras', values.loras.filter((_, j) => j !== i))}>
                移除
              </button>
            </div>
          ))}
          {values.loras.length < 10 && (
            <button type="button" className="button button--small" onClick={() => set('loras', [...values.loras, { id: null, externalId: null, name: '', weight: '1' }])}>
              添加 LoRA
            </button>
          )}
        </div>
      </fieldset>
      <label>
        标签（用逗号分隔）
        <input className="input" placeholder="汽车, 夜景" {...field('tags')} />
      </label>
      <label>
        内容分级
        <select className="input" name="nsfwLevel" value={values.nsfwLevel} onChange={(event) => set('nsfwLevel', event.target.value as FormState['nsfwLevel'])}>
          {NSFW_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <datalist id="upload-samplers">{SAMPLERS.map((s) => <option key={s} value={s} />)}</datalist>
      <datalist id="upload-checkpoints">{catalogue.checkpoints.map((c) => <option key={c} value={c} />)}</datalist>
      <datalist id="upload-loras">{catalogue.loras.map((l) => <option key={l.id} value={l.name} />)}</datalist>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {edit && (
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? '保存中…' : '保存修改'}
        </button>
      )}
      {!edit && !uploaded && (
        <button type="submit" className="button button--primary" disabled={busy || files.length === 0 || fileError !== null}>
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
