// The gallery's 对比生成 (the same prompt and seed across 2–4 LoRAs) and 强度对比 (one LoRA across weights ×
// seeds): the jobs to submit, each cell's label, and the grid they fill (one image plus its JSON).
import type { FormLora, FormValues, RequestBody } from './form-values.ts';
import { requestBody } from './form-values.ts';

export const STRENGTH_WEIGHTS = [0.4, 0.6, 0.8, 1] as const;
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 4;

export interface ComparisonCell {
  row: number;
  column: number;
  /** The column heading (a LoRA's name or a weight). */
  columnLabel: string;
  /** The row heading (the seed). */
  rowLabel: string;
  request: RequestBody;
}

export interface ComparisonPlan {
  kind: 'loras' | 'strength';
  title: string;
  columns: string[];
  rows: string[];
  cells: ComparisonCell[];
}

/** A random seed for a comparison: fixed up front, so every cell of a row shares it. */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 4_294_967_295);
}

/** 对比生成: one job per LoRA, each alone on the base form (its own weight), one seed for all. */
export function loraComparison(base: FormValues, loras: readonly FormLora[], seed: number): ComparisonPlan {
  const columns = loras.map((l) => `${l.name} · ${l.weight}`);
  const rowLabel = `种子 ${seed}`;
  return {
    kind: 'loras',
    title: `LoRA 对比生成（种子 ${seed}）`,
    columns,
    rows: [rowLabel],
    cells: loras.map((lora, column) => ({
      row: 0,
      column,
      columnLabel: columns[column]!,
      rowLabel,
      request: requestBody({ ...base, loras: [lora], seed, batch: 1 }),
    })),
  };
}

/** 强度对比: one LoRA at each weight (columns) × each seed (rows). */
export function strengthComparison(base: FormValues, lora: FormLora, seeds: readonly number[], weights: readonly number[] = STRENGTH_WEIGHTS): ComparisonPlan {
  const columns = weights.map((w) => `权重 ${w}`);
  const rows = seeds.map((s) => `种子 ${s}`);
  return {
    kind: 'strength',
    title: `「${lora.name}」强度对比`,
    columns,
    rows,
    cells: seeds.flatMap((seed, row) =>
      weights.map((weight, column) => ({
        row,
        column,
        columnLabel: columns[column]!,
        rowLabel: rows[row]!,
        request: requestBody({ ...base, loras: [{ ...lora, weight }], seed, batch: 1 }),
      })),
    ),
  };
}

export interface GridLayout {
  width: number;
  height: number;
  /** Where each cell's image goes, in plan order. */
  cells: Array<{ x: number; y: number; width: number; height: number }>;
  columnLabels: Array<{ text: string; x: number; y: number }>;
  rowLabels: Array<{ text: string; x: number; y: number }>;
  title: { text: string; x: number; y: number };
}

/** The saved grid image: a title line, column headings on top, row headings on the left, cells scaled to `cell`. */
export function gridLayout(plan: ComparisonPlan, cell: { width: number; height: number }, options = { gap: 8, header: 36, title: 40, rowHeader: 140 }): GridLayout {
  const { gap, header, title, rowHeader } = options;
  const left = rowHeader + gap;
  const top = title + header + gap;
  const width = left + plan.columns.length * (cell.width + gap);
  const height = top + plan.rows.length * (cell.height + gap);
  return {
    width,
    height,
    title: { text: plan.title, x: gap, y: title / 2 + gap / 2 },
    columnLabels: plan.columns.map((text, c) => ({ text, x: left + c * (cell.width + gap) + cell.width / 2, y: title + header / 2 })),
    rowLabels: plan.rows.map((text, r) => ({ text, x: gap, y: top + r * (cell.height + gap) + cell.height / 2 })),
    cells: plan.cells.map((c) => ({ x: left + c.column * (cell.width + gap), y: top + c.row * (cell.height + gap), width: cell.width, height: cell.height })),
  };
}

/** The grid's JSON: what was compared, and each cell's job and request. */
export function comparisonJson(plan: ComparisonPlan, jobs: ReadonlyArray<{ jobId: string; imageUrl: string | null }>) {
  return {
    kind: plan.kind,
    title: plan.title,
    columns: plan.columns,
    rows: plan.rows,
    cells: plan.cells.map((c, i) => ({ row: c.row, column: c.column, label: `${c.rowLabel} / ${c.columnLabel}`, job_id: jobs[i]?.jobId ?? null, image_url: jobs[i]?.imageUrl ?? null, request: c.request })),
  };
}
