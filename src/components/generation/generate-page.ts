// /generate's script: the form (checked as it is typed against the request limits, 生成 disabled with the
// reason on a range error or a LoRA/checkpoint family conflict), the LoRA picker, presets, prefill from
// 做同款 / a LoRA / a job / a comparison, the §9.6 confirmation before a remote submission, and the job
// panel (progress, live log, outputs) or the comparison grid.
import { familiesOf, familyLabel } from '../../site/generation/base-model.ts';
import { matchCheckpoint, searchLoras, type Catalogue, type CatalogueLora } from '../../site/generation/catalogue.ts';
import { checkCompatibility, checkpointFamily } from '../../site/generation/compatibility.ts';
import { exportRequest, exportText, submitBody } from '../../site/generation/export-json.ts';
import { checkNumber, checkValues, numericSpecs, requestBody, type FieldKey, type FormCheckpoint, type FormErrors, type FormLora, type FormValues, type GenerationLimits } from '../../site/generation/form-values.ts';
import { applyPreset, presetFromSaved, type Preset } from '../../site/generation/presets.ts';
import { decodeRecipe, formLora, prefill, recipeFromLora, type Recipe } from '../../site/generation/recipe.ts';
import { COMPARE_MAX, COMPARE_MIN, loraComparison, randomSeed, strengthComparison, type ComparisonPlan } from '../../site/generation/comparison.ts';
import { ApiCallError } from '../community/api.ts';
import { toast } from '../community/toast.ts';
import { runComparison } from './compare-grid.ts';
import { createPreset, deletePreset, jobDetail, listPresets, cancelJob, providerInfo, rerunJob, submitJob, watchJob, type JobView, type ProviderInfo, type SavedPreset } from './generation-api.ts';
import { button, callErrorView, download, errorBox, node, renderJob } from './job-view.ts';

interface Config {
  limits: GenerationLimits;
  samplers: string[];
  presets: Preset[];
  catalogue: Catalogue;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const config = JSON.parse($('gen-config').textContent ?? '{}') as Config;
const { limits, samplers, catalogue } = config;
const specs = numericSpecs(limits);
const form = $<HTMLFormElement>('gen-form');
const submit = $<HTMLButtonElement>('gen-submit');
const reason = $('gen-reason');
const checkpointInput = $<HTMLInputElement>('gen-checkpoint');
const NUMERIC = ['steps', 'cfgScale', 'width', 'height', 'batch'] as const;
const PENDING_KEY = 'huaku:generate:pending';

let loras: FormLora[] = [];
let signedIn = false;
let userPresets: SavedPreset[] = [];
let comparison: { kind: 'loras' | 'strength' } | null = null;
let busy = false;
let stopWatch: (() => void) | undefined;

const input = (key: string) => form.elements.namedItem(key) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

// --- the form's values ------------------------------------------------------------------------------------

function currentCheckpoint(): FormCheckpoint | null {
  const text = checkpointInput.value.trim();
  if (!text) return null;
  return matchCheckpoint(catalogue.checkpoints, text) ?? { id: text.slice(0, 200), name: text.slice(0, 200) };
}

function seedMode(): 'random' | 'fixed' {
  return (form.querySelector<HTMLInputElement>('input[name="seedMode"]:checked')?.value as 'random' | 'fixed') ?? 'random';
}

/** The form's values, and each field's error (range checks, then the cross-field ones). */
function read(): { values: FormValues; errors: FormErrors } {
  const errors: FormErrors = {};
  const number = (key: (typeof NUMERIC)[number] | 'seed') => {
    const check = checkNumber(specs[key], input(key).value);
    if (!check.ok) errors[key] = check.message;
    return check.ok ? check.value : specs[key].suggested;
  };
  const values: FormValues = {
    prompt: input('prompt').value,
    negativePrompt: input('negativePrompt').value,
    checkpoint: currentCheckpoint(),
    loras,
    sampler: input('sampler').value,
    steps: number('steps'),
    cfgScale: number('cfgScale'),
    width: number('width'),
    height: number('height'),
    batch: number('batch'),
    seed: seedMode() === 'random' ? -1 : number('seed'),
  };
  return { values, errors: { ...checkValues(values, limits, samplers), ...errors } };
}

function write(values: FormValues): void {
  input('prompt').value = values.prompt;
  input('negativePrompt').value = values.negativePrompt;
  checkpointInput.value = values.checkpoint?.name ?? '';
  input('sampler').value = values.sampler;
  for (const key of NUMERIC) input(key).value = String(values[key]);
  const fixed = values.seed >= 0;
  form.querySelector<HTMLInputElement>(`input[name="seedMode"][value="${fixed ? 'fixed' : 'random'}"]`)!.checked = true;
  input('seed').value = fixed ? String(values.seed) : '';
  loras = values.loras.map((l) => ({ ...l }));
  renderLoras();
}

function markUnknown(keys: readonly FieldKey[]): void {
  for (const badge of form.querySelectorAll<HTMLElement>('[data-unknown]')) badge.hidden = !keys.includes(badge.dataset.unknown as FieldKey);
}

// --- checks and the 生成 button -----------------------------------------------------------------------

const FIELD_ERRORS: FieldKey[] = ['prompt', 'negativePrompt', 'checkpoint', 'sampler', 'steps', 'cfgScale', 'width', 'height', 'batch', 'seed'];

function validate(options: { show?: boolean } = {}): { values: FormValues; ok: boolean } {
  const { values, errors } = read();
  (input('seed') as HTMLInputElement).disabled = seedMode() === 'random';
  for (const key of FIELD_ERRORS) {
    const element = document.getElementById(`gen-${key}-error`);
    if (!element) continue;
    // Empty required fields are pointed out only once the user tries to submit.
    const message = errors[key];
    const shown = Boolean(message) && (options.show || key !== 'prompt' || values.prompt !== '') && (options.show || key !== 'checkpoint' || checkpointInput.value !== '');
    element.textContent = shown ? message! : '';
    element.hidden = !shown;
    input(key === 'checkpoint' ? 'checkpoint' : key)?.setAttribute('aria-invalid', String(shown));
  }
  const loraError = $('gen-lora-error');
  loraError.textContent = errors.loras ?? '';
  loraError.hidden = !errors.loras;

  const compat = checkCompatibility(values.checkpoint, values.loras);
  $('gen-checkpoint-family').textContent = values.checkpoint ? familyLabel(checkpointFamily(values.checkpoint)) : '未选择';
  const compatBox = $('gen-compat');
  compatBox.replaceChildren(
    ...(compat.conflicts.length > 0 ? [node('strong', { textContent: '模型兼容性冲突' })] : []),
    ...[...compat.conflicts, ...compat.notes].map((line) => node('p', { textContent: line })),
  );
  compatBox.hidden = compat.conflicts.length + compat.notes.length === 0;
  compatBox.classList.toggle('is-conflict', compat.conflicts.length > 0);

  const compareProblem = comparison ? compareReadiness() : null;
  // An empty prompt or checkpoint is pointed out when 生成 is pressed; anything else out of range blocks it now.
  const blocking = Object.entries(errors).filter(([key]) => !((key === 'prompt' && values.prompt.trim() === '') || (key === 'checkpoint' && !values.checkpoint)));
  let why = '';
  if (!signedIn) why = '请先登录';
  else if (busy) why = '正在提交…';
  else if (!compat.ok) why = `模型兼容性冲突：${compat.conflicts[0]}`;
  else if (compareProblem) why = compareProblem;
  else if (blocking.length > 0) why = `参数超出范围：${blocking[0]![1]}`;
  submit.disabled = why !== '';
  reason.textContent = why;
  return { values, ok: why === '' && Object.keys(errors).length === 0 };
}

// --- LoRAs -----------------------------------------------------------------------------------------------

function renderLoras(): void {
  const list = $('gen-lora-list');
  list.replaceChildren(
    ...loras.map((lora, i) => {
      const weight = document.createElement('input');
      Object.assign(weight, { className: 'input gen-weight', type: 'number', step: '0.05', min: String(specs.weight.min), max: String(specs.weight.max), value: String(lora.weight) });
      weight.setAttribute('aria-label', `${lora.name} 的权重`);
      weight.addEventListener('input', () => {
        const check = checkNumber(specs.weight, weight.value);
        loras[i] = { ...loras[i]!, weight: check.ok ? check.value : Number.NaN };
        weight.setAttribute('aria-invalid', String(!check.ok));
        validate();
      });
      const families = familiesOf(lora.baseModels).map((f) => familyLabel(f)).join('、') || '未注明';
      const title: HTMLElement = lora.loraId
        ? node('a', { href: `/lora/${encodeURIComponent(lora.loraId)}`, textContent: lora.name, target: '_blank' })
        : node('span', { textContent: lora.name });
      const remove = button('移除', () => {
        loras.splice(i, 1);
        renderLoras();
        validate();
      });
      const parts: Node[] = [title, node('small', { textContent: ` ${families}` }), weight, remove];
      const item = document.createElement('li');
      item.className = 'gen-lora';
      item.append(...parts);
      item.dataset.loraId = lora.loraId ?? '';
      return item;
    }),
  );
  if (comparison?.kind === 'strength') list.append(node('li', { className: 'gen-muted', textContent: '强度对比：权重 0.4 / 0.6 / 0.8 / 1.0 × 2 个种子' }));
}

function addLora(entry: CatalogueLora): void {
  if (loras.some((l) => l.loraId === entry.id)) return;
  const max = comparison?.kind === 'loras' ? COMPARE_MAX : comparison?.kind === 'strength' ? 1 : limits.loras.max;
  if (loras.length >= max) {
    toast(`最多 ${max} 个 LoRA`, 'error');
    return;
  }
  loras.push(formLora(entry, entry.suggested.weight));
  renderLoras();
  validate();
}

const search = $<HTMLInputElement>('gen-lora-search');
const results = $('gen-lora-results');
function showResults(): void {
  const found = searchLoras(catalogue.loras, search.value);
  results.replaceChildren(
    ...(found.length === 0
      ? [node('li', { className: 'gen-muted', textContent: '没有找到匹配的 LoRA' })]
      : found.map((entry) =>
          node('li', {}, [
            button(`${entry.name}（${entry.baseModels.join('、') || '未注明'}）`, () => {
              addLora(entry);
              search.value = '';
              results.hidden = true;
            }, 'gen-result'),
          ]),
        )),
  );
  results.hidden = false;
}
search.addEventListener('input', showResults);
search.addEventListener('focus', showResults);
search.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') results.hidden = true;
});
document.addEventListener('click', (event) => {
  if (!(event.target as Element).closest('.gen-lora-search')) results.hidden = true;
});

// --- presets ---------------------------------------------------------------------------------------------

const presetSelect = $<HTMLSelectElement>('gen-preset');
const presetDelete = $<HTMLButtonElement>('gen-preset-delete');

function renderUserPresets(): void {
  $('gen-preset-mine').replaceChildren(...userPresets.map((p) => node('option', { value: `mine:${p.id}`, textContent: p.name })));
}

function presetById(value: string): Preset | undefined {
  if (value.startsWith('mine:')) {
    const saved = userPresets.find((p) => `mine:${p.id}` === value);
    return saved && presetFromSaved(saved);
  }
  return config.presets.find((p) => p.id === value);
}

presetSelect.addEventListener('change', () => {
  const preset = presetById(presetSelect.value);
  presetDelete.hidden = !presetSelect.value.startsWith('mine:');
  if (!preset) return;
  write(applyPreset(read().values, preset));
  markUnknown([]);
  validate();
  toast(`已应用预设「${preset.name}」`);
});

$('gen-preset-save').addEventListener('click', async () => {
  if (!signedIn) return void toast('登录后才能保存预设', 'error');
  // The server keeps a preset as a whole submission, checked like one: the form must be valid first.
  const { values, ok } = validate({ show: true });
  if (!ok) return void toast('请先填好提示词并修正参数，再保存预设', 'error');
  const name = window.prompt('预设名称', values.checkpoint?.name ?? '我的预设');
  if (name === null || !name.trim()) return;
  try {
    const saved = await createPreset(name.trim().slice(0, 100), submitBody(requestBody(values)));
    userPresets = [...userPresets, saved];
    renderUserPresets();
    presetSelect.value = `mine:${saved.id}`;
    presetDelete.hidden = false;
    toast(`已保存预设「${saved.name}」`, 'success');
  } catch (error) {
    toast(`保存预设失败：${callErrorView(error).detail}`, 'error');
  }
});

presetDelete.addEventListener('click', async () => {
  const id = presetSelect.value.slice('mine:'.length);
  try {
    await deletePreset(id);
    userPresets = userPresets.filter((p) => String(p.id) !== id);
    renderUserPresets();
    presetSelect.value = '';
    presetDelete.hidden = true;
  } catch (error) {
    toast(`删除预设失败：${callErrorView(error).detail}`, 'error');
  }
});

// --- comparisons -----------------------------------------------------------------------------------------

function compareReadiness(): string | null {
  if (comparison?.kind === 'loras' && (loras.length < COMPARE_MIN || loras.length > COMPARE_MAX)) return `对比生成需要 ${COMPARE_MIN}–${COMPARE_MAX} 个 LoRA`;
  if (comparison?.kind === 'strength' && loras.length !== 1) return '强度对比需要恰好 1 个 LoRA';
  return null;
}

function comparisonPlan(values: FormValues): ComparisonPlan {
  const first = values.seed >= 0 ? values.seed : randomSeed();
  if (comparison!.kind === 'loras') return loraComparison(values, values.loras, first);
  const second = values.seed >= 0 ? (values.seed + 1) % (limits.seed.max + 1) : randomSeed();
  return strengthComparison(values, values.loras[0]!, [first, second]);
}

// --- submitting ------------------------------------------------------------------------------------------

const jobSection = $('gen-job');
const jobView = $('gen-job-view');

function showCallError(error: unknown, retry: () => void): void {
  jobSection.hidden = false;
  if (error instanceof ApiCallError && (error.status === 400 || error.status === 422)) {
    jobView.replaceChildren(errorBox({ title: '参数超出范围', detail: error.message, retry: false }));
  } else jobView.replaceChildren(errorBox(callErrorView(error), retry));
}

function follow(jobId: string): void {
  stopWatch?.();
  jobSection.hidden = false;
  history.replaceState(history.state, '', `${location.pathname}${location.search}#job=${encodeURIComponent(jobId)}`);
  const actions = {
    rerun: (randomSeed: boolean) =>
      void rerunJob(jobId, randomSeed).then((r) => follow(r.job_id), (error: unknown) => showCallError(error, () => actions.rerun(randomSeed))),
    cancel: () => void cancelJob(jobId).then((job) => show(job), (error: unknown) => toast(`取消失败：${callErrorView(error).detail}`, 'error')),
  };
  const show = (job: JobView) => jobView.replaceChildren(renderJob(job, actions));
  stopWatch = watchJob(jobId, show, (error) => showCallError(error, () => follow(jobId)));
}

const BILLING_OK_KEY = 'huaku:generate:billing-ok';

let providers: ProviderInfo | null = null;

/**
 * §9.6: a remote service may bill, so say so (with the image count) and submit only when confirmed: when the
 * chosen provider, or with 自动 the first configured one, is billed (GET /api/v1/generate/providers). Without
 * that list, asked unless the user picked their own GPU. "本次会话不再提示" keeps the answer for the session.
 */
function confirmRemote(images: number): Promise<boolean> {
  const provider = $<HTMLSelectElement>('gen-provider').value;
  const billed = providers
    ? Boolean((provider ? providers.providers.find((p) => p.kind === provider) : providers.providers[0])?.billed)
    : provider !== 'a1111' && provider !== 'comfyui';
  if (!billed || sessionStorage.getItem(BILLING_OK_KEY) === '1') return Promise.resolve(true);
  const dialog = $<HTMLDialogElement>('gen-confirm');
  const where = provider === 'modelscope' ? '将通过 ModelScope API-Inference 远程生成' : '服务器会按配置的顺序选择生成服务，可能通过 ModelScope API-Inference 远程生成';
  const quota = providers?.quota_per_day ? `本站每人每天最多 ${providers.quota_per_day} 个生成任务。` : '';
  $('gen-confirm-text').textContent = `${where} ${images} 张图片，可能按次计费或消耗 API Key 所属账户的免费额度。${quota}确认提交吗？`;
  dialog.showModal();
  return new Promise((resolve) => {
    const ok = $('gen-confirm-ok');
    const cancel = $('gen-confirm-cancel');
    const done = (confirmed: boolean) => {
      if (confirmed && $<HTMLInputElement>('gen-confirm-skip').checked) sessionStorage.setItem(BILLING_OK_KEY, '1');
      dialog.close();
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      dialog.removeEventListener('cancel', no);
      resolve(confirmed);
    };
    const yes = () => done(true);
    const no = () => done(false);
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    dialog.addEventListener('cancel', no);
  });
}

async function onSubmit(): Promise<void> {
  if (!signedIn) return goLogin();
  const { values, ok } = validate({ show: true });
  if (!ok) {
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return;
  }
  const token = $<HTMLInputElement>('gen-token').value.trim() || undefined;
  const provider = $<HTMLSelectElement>('gen-provider').value || undefined;
  const plan = comparison ? comparisonPlan(values) : null;
  if (!(await confirmRemote(plan ? plan.cells.length : values.batch))) return;
  busy = true;
  validate();
  try {
    if (plan) {
      $('gen-compare').hidden = false;
      await runComparison(plan, (body) => submitJob(submitBody(body), { token, provider }));
    } else {
      const job = await submitJob(submitBody(requestBody(values)), { token, provider });
      follow(job.job_id);
    }
  } catch (error) {
    showCallError(error, () => void onSubmit());
  } finally {
    busy = false;
    validate();
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void onSubmit();
});
form.addEventListener('input', (event) => {
  if ((event.target as HTMLElement).id === 'gen-lora-search') return;
  validate();
});
form.addEventListener('change', () => validate());

$('gen-export').addEventListener('click', () => {
  const { values, ok } = validate({ show: true });
  if (!ok && Object.keys(read().errors).length > 0) return void toast('有参数需要修改，请先修正', 'error');
  download(new Blob([exportText(exportRequest(requestBody(values)))], { type: 'application/json' }), 'huaku-generate.json');
});

function goLogin(): void {
  sessionStorage.setItem(PENDING_KEY, location.search + location.hash);
  location.href = `/login?next=${encodeURIComponent('/generate')}`;
}
$('gen-login').addEventListener('click', (event) => {
  event.preventDefault();
  goLogin();
});

// --- start: who is here, what to prefill -------------------------------------------------------------------

function defaults(): FormValues {
  const sdxl = config.presets.find((p) => p.family === 'sdxl')!;
  return applyPreset({ prompt: '', negativePrompt: '', checkpoint: null, loras: [], sampler: 'Euler a', steps: 25, cfgScale: 7, width: 1024, height: 1024, seed: -1, batch: 1 }, sdxl);
}

function showPrefill(recipe: Recipe, notes: string[]): void {
  if (recipe.from) {
    const from = $('gen-from');
    from.replaceChildren(recipe.kind === 'artwork' ? '做同款：' : '使用 LoRA：', node('a', { href: recipe.from.url, textContent: recipe.from.title }));
    if (recipe.kind === 'artwork') from.append('。标为「未知」的参数原作没有提供，已填入默认值。');
    from.hidden = false;
  }
  const list = $('gen-notes');
  list.replaceChildren(...notes.map((n) => node('li', { textContent: n })));
  list.hidden = notes.length === 0;
}

function applyRecipe(recipe: Recipe): void {
  const result = prefill(recipe, defaults(), catalogue, limits, samplers);
  write(result.values);
  markUnknown(result.unknown);
  showPrefill(recipe, result.notes);
}

async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const pending = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (pending && !location.hash && !location.search) history.replaceState(history.state, '', `/generate${pending}`);
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  write(defaults());

  const compare = new URLSearchParams(location.search).get('compare');
  if (compare === 'loras' || compare === 'strength') {
    comparison = { kind: compare };
    const ids = (new URLSearchParams(location.search).get(compare === 'loras' ? 'loras' : 'lora') ?? '').split(',').filter(Boolean);
    const picked = ids.flatMap((id) => catalogue.loras.filter((l) => l.id === id)).slice(0, compare === 'loras' ? COMPARE_MAX : 1);
    const first = picked[0];
    if (first) applyRecipe({ ...recipeFromLora(first), from: null, loras: picked.map((l) => ({ name: l.name, loraId: l.id, weight: l.suggested.weight })) });
    $('gen-title').textContent = compare === 'loras' ? 'LoRA 对比生成' : 'LoRA 强度对比';
    submit.textContent = compare === 'loras' ? '开始对比生成' : '开始强度对比';
    // The same seed across the cells: fixed by default so the comparison is fair and repeatable.
    form.querySelector<HTMLInputElement>('input[name="seedMode"][value="fixed"]')!.checked = true;
    input('seed').value = String(randomSeed());
    renderLoras();
  } else if (hash.get('recipe')) {
    const recipe = decodeRecipe(location.hash);
    if (recipe) applyRecipe(recipe);
    else showPrefill({ kind: 'artwork', from: null } as Recipe, ['做同款链接无法读取，已使用默认参数']);
  } else if (params.get('lora')) {
    const entry = catalogue.loras.find((l) => l.id === params.get('lora'));
    if (entry) applyRecipe(recipeFromLora(entry));
    else showPrefill({ kind: 'lora', from: null } as Recipe, [`模型库中没有 LoRA「${params.get('lora')}」`]);
  }
  validate();

  try {
    const me = (await (await fetch('/api/auth/me', { credentials: 'same-origin' })).json()) as { user: unknown };
    signedIn = Boolean(me.user);
  } catch {
    signedIn = false;
  }
  $('gen-auth').hidden = signedIn;
  if (signedIn) {
    // Before 生成 is enabled: the cost note depends on which providers are configured.
    providers = await providerInfo().catch(() => null);
    const select = $<HTMLSelectElement>('gen-provider');
    for (const option of select.options) if (option.value && providers) option.hidden = option.disabled = !providers.providers.some((p) => p.kind === option.value);
  }
  validate();
  if (!signedIn) return;

  const jobId = hash.get('job');
  if (jobId) {
    try {
      const job = await jobDetail(jobId);
      write(valuesOfJob(job));
      follow(jobId);
    } catch (error) {
      showCallError(error, () => location.reload());
    }
    validate();
  }
  listPresets().then((r) => {
    userPresets = r.items;
    renderUserPresets();
  }, () => undefined);
}

/** A job's stored request back into the form (its LoRAs matched to the catalogue by their provider id). */
function valuesOfJob(job: JobView): FormValues {
  const r = job.request;
  return {
    ...defaults(),
    prompt: r.prompt,
    negativePrompt: r.negativePrompt,
    checkpoint: r.checkpoint,
    sampler: r.sampler,
    steps: r.steps,
    cfgScale: r.cfgScale,
    width: r.width,
    height: r.height,
    seed: r.seed,
    batch: r.batch,
    loras: r.loras.map((l) => {
      const entry = catalogue.loras.find((c) => c.externalId === l.id);
      return { loraId: entry?.id ?? null, id: l.id, name: l.name ?? entry?.name ?? l.id, baseModels: entry?.baseModels ?? (l.baseModel ? [l.baseModel] : []), weight: l.weight };
    }),
  };
}

for (const control of form.querySelectorAll<HTMLElement>('[data-needs-js]')) control.hidden = false;
void start();
