// §11 模型兼容性冲突: a LoRA trained on another base-model family than the checkpoint's cannot be used with
// it, so the form disables 生成 and says why. Unknown families are allowed with a note (many checkpoint
// names say nothing about their base), never silently.
import { baseFamily, familiesOf, familyLabel, FAMILY_LABELS, type BaseFamily } from './base-model.ts';

export interface CheckpointChoice {
  name: string;
  /** The declared base model, when the catalogue or preset knows it (else the name is read). */
  baseModel?: string | undefined;
}

export interface LoraChoice {
  name: string;
  /** The LoRA's base models as the catalogue lists them. */
  baseModels: readonly string[];
}

export interface CompatibilityResult {
  ok: boolean;
  /** Why 生成 is disabled (one line per conflicting LoRA). */
  conflicts: string[];
  /** Allowed but worth saying: a family that could not be read. */
  notes: string[];
  checkpointFamily: BaseFamily | null;
}

export function checkpointFamily(checkpoint: CheckpointChoice): BaseFamily | null {
  return baseFamily(checkpoint.baseModel) ?? baseFamily(checkpoint.name);
}

export function checkCompatibility(checkpoint: CheckpointChoice | null, loras: readonly LoraChoice[]): CompatibilityResult {
  const family = checkpoint ? checkpointFamily(checkpoint) : null;
  const conflicts: string[] = [];
  const notes: string[] = [];
  if (checkpoint && family === null && loras.length > 0) {
    notes.push(`无法判断基础模型「${checkpoint.name}」属于哪个系列，请自行确认 LoRA 与它兼容`);
  }
  for (const lora of loras) {
    const families = familiesOf(lora.baseModels);
    if (families.length === 0) {
      notes.push(`LoRA「${lora.name}」未注明适用的基础模型`);
      continue;
    }
    if (family !== null && !families.includes(family)) {
      conflicts.push(
        `LoRA「${lora.name}」适用于 ${families.map((f) => FAMILY_LABELS[f]).join('、')}，与基础模型「${checkpoint!.name}」（${familyLabel(family)}）不兼容：请换用对应系列的基础模型，或移除这个 LoRA`,
      );
    }
  }
  return { ok: conflicts.length === 0, conflicts, notes, checkpointFamily: family };
}
