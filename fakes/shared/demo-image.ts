// The picture every generation fake "generates": drawn from the parameters alone (same parameters → same
// bytes), visibly stamped DEMO 演示输出 with the prompt, seed and model on it, so nobody mistakes it for a
// model's work. Chinese text uses Noto Sans SC from @fontsource (never a system font); only the unicode
// subsets a text needs are registered, on first use (all ~100 subsets would cost half a second).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';

const DEMO_LABEL = 'DEMO 演示输出';
const FAMILY = 'HuakuDemoSans';

export interface DemoImageParams {
  width: number;
  height: number;
  prompt: string;
  negativePrompt?: string;
  seed: number;
  model: string;
  loras?: ReadonlyArray<{ name: string; weight: number }>;
  steps?: number;
  cfg?: number;
  sampler?: string;
  /** Which fake drew it (shown small in a corner). */
  source: string;
}

interface Subset {
  file: string;
  ranges: Array<[number, number]>;
}

let subsets: Subset[] | undefined;
const registered = new Set<string>();

function fontSubsets(): Subset[] {
  if (subsets) return subsets;
  const dir = path.dirname(fileURLToPath(import.meta.resolve('@fontsource/noto-sans-sc/package.json')));
  const css = readFileSync(path.join(dir, '400.css'), 'utf8');
  subsets = [];
  for (const face of css.split('@font-face').slice(1)) {
    const file = /url\(\.\/(files\/[^)]+\.woff2)\)/.exec(face)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(face)?.[1];
    if (!file || !range) continue;
    const ranges = range.split(',').map((part): [number, number] => {
      const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
      return [parseInt(a!, 16), parseInt(b ?? a!, 16)];
    });
    subsets.push({ file: path.join(dir, file), ranges });
  }
  return subsets;
}

/** Registers the font subsets that cover `text` (once each). */
function ensureGlyphs(text: string): void {
  const all = fontSubsets();
  for (const char of new Set(text)) {
    const code = char.codePointAt(0)!;
    const subset = all.find((s) => s.ranges.some(([a, b]) => code >= a && code <= b));
    if (subset && !registered.has(subset.file)) {
      GlobalFonts.registerFromPath(subset.file, FAMILY);
      registered.add(subset.file);
    }
  }
}

/** A PRNG from a hash of the parameters: the picture depends on nothing else. */
function seededRandom(key: string): () => number {
  let state = createHash('sha256').update(key).digest().readUInt32LE(0) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function wrap(g: SKRSContext2D, text: string, maxWidth: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of text.replace(/\s+/g, ' ')) {
    if (g.measureText(line + char).width > maxWidth && line) {
      lines.push(line);
      line = char.trim();
      if (lines.length === maxLines) break;
    } else {
      line += char;
    }
  }
  if (lines.length < maxLines && line) lines.push(line);
  if (lines.length === maxLines && text.length > lines.join('').length + 1) lines[maxLines - 1] = `${lines[maxLines - 1]!.slice(0, -1)}…`;
  return lines;
}

const cache = new Map<string, Promise<Buffer>>();

/** The demo PNG for these parameters (cached: the same parameters always give the same bytes). */
export function drawDemoImage(params: DemoImageParams): Promise<Buffer> {
  const key = JSON.stringify(params);
  let hit = cache.get(key);
  if (!hit) {
    if (cache.size > 64) cache.delete(cache.keys().next().value!);
    hit = render(params);
    cache.set(key, hit);
  }
  return hit;
}

async function render(p: DemoImageParams): Promise<Buffer> {
  const { width: w, height: h } = p;
  const random = seededRandom(JSON.stringify([p.prompt, p.negativePrompt, p.seed, p.model, p.loras, p.steps, p.cfg, p.sampler]));
  const canvas = createCanvas(w, h);
  const g = canvas.getContext('2d');
  const hue = Math.floor(random() * 360);
  const sky = g.createLinearGradient(0, 0, 0, h);
  sky.addColorStop(0, `hsl(${hue}, 55%, 72%)`);
  sky.addColorStop(1, `hsl(${(hue + 60) % 360}, 45%, 32%)`);
  g.fillStyle = sky;
  g.fillRect(0, 0, w, h);
  // A few soft shapes: the "image" part, different for every seed.
  for (let i = 0; i < 7; i++) {
    g.fillStyle = `hsla(${(hue + random() * 180) % 360}, 60%, ${40 + random() * 30}%, 0.55)`;
    g.beginPath();
    g.arc(random() * w, random() * h, (0.05 + random() * 0.2) * Math.min(w, h), 0, Math.PI * 2);
    g.fill();
  }
  // Hills.
  g.fillStyle = `hsla(${(hue + 200) % 360}, 30%, 22%, 0.8)`;
  g.beginPath();
  g.moveTo(0, h);
  for (let x = 0; x <= w; x += Math.max(4, w / 32)) g.lineTo(x, h * 0.72 + Math.sin(x / (w / 5) + random() * 0.3) * h * 0.06);
  g.lineTo(w, h);
  g.fill();

  const unit = Math.max(10, Math.round(Math.min(w, h) / 24));
  const details = `seed ${p.seed} · ${p.model}${p.loras?.length ? ` · ${p.loras.map((l) => `${l.name}:${l.weight}`).join(' ')}` : ''}`;
  ensureGlyphs(`${DEMO_LABEL}${p.prompt}${details}${p.source}…`);
  // The stamp: a band across the top that no crop of the middle can lose.
  g.fillStyle = 'rgba(180, 20, 40, 0.85)';
  g.fillRect(0, 0, w, unit * 2.2);
  g.fillStyle = '#fff';
  g.font = `bold ${Math.round(unit * 1.3)}px ${FAMILY}`;
  g.textBaseline = 'middle';
  g.fillText(DEMO_LABEL, unit * 0.6, unit * 1.1);
  // Prompt and recipe at the bottom.
  g.font = `${unit}px ${FAMILY}`;
  const lines = wrap(g, p.prompt, w - unit * 1.2, 3);
  const boxTop = h - unit * (lines.length * 1.35 + 2.4);
  g.fillStyle = 'rgba(0, 0, 0, 0.55)';
  g.fillRect(0, boxTop, w, h - boxTop);
  g.fillStyle = '#fff';
  lines.forEach((line, i) => g.fillText(line, unit * 0.6, boxTop + unit * (0.9 + i * 1.35)));
  g.font = `${Math.round(unit * 0.8)}px ${FAMILY}`;
  g.fillStyle = '#ffe08a';
  g.fillText(wrap(g, details, w - unit * 1.2, 1)[0] ?? '', unit * 0.6, h - unit * 0.9);
  g.textAlign = 'right';
  g.fillStyle = 'rgba(255,255,255,0.85)';
  g.fillText(p.source, w - unit * 0.6, unit * 1.1);
  // sharp encodes the (opaque) RGBA pixels several times faster than the canvas's own PNG encoder.
  return sharp(canvas.data(), { raw: { width: w, height: h, channels: 4 } }).png({ compressionLevel: 3 }).toBuffer();
}
