// Raw ModelScope payloads as docs/upstream.md §2.1 documents them (a real `dolphin/models` response, 2025-11).
// Only the fields we read are described; unknown fields pass through (additions upstream are not drift).
// The envelope is strict: a drifted envelope fails the whole page. Items are checked one by one: a
// malformed item (a missing id part, a field of the wrong type) is skipped, never the page.
import { z } from 'zod';

const text = z.string().nullish();
const count = z.number().nonnegative().nullish();
const strings = z.array(z.string()).nullish();

/** `{Code, Message, RequestId, Success, Data}`; the SDK's OK test is `Code == 200 && Success`. */
export const envelopeSchema = z.object({
  Code: z.number(),
  Message: z.string().nullish(),
  RequestId: z.string().nullish(),
  Success: z.boolean(),
  Data: z.unknown().optional(),
});

/** `Data` of a successful model search. `FiledAgg` (sic), `Source`, `Target` are not used. */
export const modelsDataSchema = z.object({
  Model: z.object({
    Models: z.array(z.unknown()),
    TotalCount: z.number().int().nonnegative().nullish(),
  }),
});

const museInfoSchema = z.object({
  model: z
    .object({
      modelName: text,
      modelType: text,
      showName: text,
      operatorName: text,
      stableDiffusionVersion: text,
      /** Epoch milliseconds (the top level uses seconds). */
      gmtModified: z.number().nullish(),
      favoriteCount: count,
    })
    .nullish(),
  versions: z
    .array(
      z.object({
        coverImages: z.array(z.object({ url: text })).nullish(),
        modelVersion: z.object({ triggerWords: text }).nullish(),
      }),
    )
    .nullish(),
});

/** `ModelInfos.<format>.files[]`: read leniently (a stray value there does not make the item malformed). */
export const modelFilesSchema = z.array(z.object({ name: z.string(), sha256: text, size: count }));

/** One `Data.Model.Models[]` item: the fields the Top-LoRAs record is made from. */
export const modelItemSchema = z.object({
  Path: z.string().trim().min(1, 'expected the owner (Path)'),
  Name: z.string().trim().min(1, 'expected the repository name (Name)'),
  Downloads: z.number().nonnegative(),
  ChineseName: text,
  NickName: text,
  CreatedBy: text,
  Avatar: text,
  Stars: count,
  License: text,
  Tags: strings,
  BaseModel: strings,
  TriggerWords: strings,
  VisionFoundation: text,
  AigcType: text,
  Tasks: z.array(z.object({ Name: text })).nullish(),
  /** Empty in the real sample; elements are read as a URL string or `{url|Url}` when present. */
  CoverImages: z.array(z.unknown()).nullish(),
  /** Unix seconds. */
  LastUpdatedTime: z.number().nullish(),
  /** Unix seconds. */
  CreatedTime: z.number().nullish(),
  SupportApiInference: z.boolean().nullish(),
  SupportInference: text,
  Organization: z.object({ Id: z.number().nullish(), Avatar: text, FullName: text }).nullish(),
  OfficialTags: z.array(z.object({ ChineseName: text, Name: text })).nullish(),
  ModelInfos: z.record(z.string(), z.unknown()).nullish(),
  MuseInfo: museInfoSchema.nullish(),
});
export type RawModelItem = z.infer<typeof modelItemSchema>;
