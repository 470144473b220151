// The LoRA page's parameter editor: checks each input as it is typed (range and suggested value shown on
// an invalid one), keeps the JSON preview current, and exports or copies the generation request.
import { exportFileName, generationRequest, requestJson, type ExportedLora } from '../../site/loras/export-params.ts';
import { checkField, checkParams, type ParamField, type ParamKey } from '../../site/loras/param-validation.ts';
import { copyText } from '../copy-text.ts';

interface EditorConfig {
  lora: ExportedLora;
  fields: ParamField[];
}

const form = document.getElementById('param-editor') as HTMLFormElement | null;
const configNode = document.getElementById('param-editor-config');

// Trigger-word copy buttons.
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    // Only the visible word changes: the visually hidden part names the trigger word for screen readers.
    const label = button.querySelector<HTMLElement>('[data-copy-label]') ?? button;
    const text = label.textContent;
    label.textContent = (await copyText(button.dataset.copy ?? '')) ? '已复制' : '复制失败';
    setTimeout(() => (label.textContent = text), 1500);
  });
}

if (form && configNode) {
  const config = JSON.parse(configNode.textContent ?? '{}') as EditorConfig;
  const preview = document.getElementById('param-json')!;
  const status = document.getElementById('param-status')!;
  const input = (key: ParamKey) => form.elements.namedItem(key) as HTMLInputElement;
  const errorOf = (key: ParamKey) => document.getElementById(`param-${key}-error`)!;

  const raw = () => Object.fromEntries(config.fields.map((field) => [field.key, input(field.key).value])) as Record<ParamKey, string>;

  function showField(field: ParamField): boolean {
    const check = checkField(field, input(field.key).value);
    const error = errorOf(field.key);
    error.textContent = check.ok ? '' : check.message;
    error.hidden = check.ok;
    input(field.key).setAttribute('aria-invalid', String(!check.ok));
    return check.ok;
  }

  /** The request JSON, or null (and every error shown) when a field is invalid. */
  function current(): string | null {
    const check = checkParams(config.fields, raw());
    for (const field of config.fields) showField(field);
    return check.ok ? requestJson(generationRequest(config.lora, check.params)) : null;
  }

  function refreshPreview(): void {
    const check = checkParams(config.fields, raw());
    if (check.ok) preview.textContent = requestJson(generationRequest(config.lora, check.params));
    preview.classList.toggle('is-stale', !check.ok);
  }

  form.addEventListener('input', (event) => {
    const field = config.fields.find((f) => f.key === (event.target as HTMLInputElement).name);
    if (field) showField(field);
    status.textContent = '';
    refreshPreview();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('reset', (event) => {
    event.preventDefault();
    for (const field of config.fields) input(field.key).value = String(field.suggested);
    for (const field of config.fields) showField(field);
    refreshPreview();
    status.textContent = '已恢复建议值';
  });

  function invalid(): void {
    status.textContent = '有参数不在允许范围内，请先修正';
    form!.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }

  document.getElementById('param-export')!.addEventListener('click', () => {
    const json = current();
    if (json === null) return invalid();
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: exportFileName(config.lora) });
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked later: the download may still be reading the blob after click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `已导出 ${link.download}`;
  });

  document.getElementById('param-copy')!.addEventListener('click', async () => {
    const json = current();
    if (json === null) return invalid();
    status.textContent = (await copyText(json)) ? '已复制 JSON' : '复制失败，请手动选择下方 JSON';
  });

  for (const control of form.querySelectorAll<HTMLElement>('[data-needs-js]')) control.hidden = false;
}
