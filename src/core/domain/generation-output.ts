/** One output image of a generation job as the Store keeps it: its blob key, what it is, and the seed the provider used. */
export interface GenerationOutput {
  key: string;
  seed: number;
  width: number;
  height: number;
  sha256: string;
  sizeBytes: number;
}
