import { z } from "zod";
import { language, readTemplateAndFields, templateName, type AdminShape, type FieldSpec, type FormReader } from "./fields";

export const reorderSchema = z.object({
  /** Body parameters: {{1}} product title, {{2}} days since the order */
  templateName: templateName.default("time_to_reorder"),
  language,
  defaultDays: z.number().int().min(1).max(365).default(30),
  /** Repeat purchases needed before the learned interval is trusted */
  minSamples: z.number().int().min(2).max(1000).default(5),
  validDays: z.number().int().min(1).max(60).default(7),
});
export type ReorderConfig = z.infer<typeof reorderSchema>;

const fields = [
  { key: "defaultDays", kind: "number" },
  { key: "minSamples", kind: "number" },
  { key: "validDays", kind: "number" },
] as const satisfies readonly FieldSpec<keyof ReorderConfig>[];

export const reorderSettings = {
  schema: reorderSchema,
  singleTemplate: true,
  fields,
  readForm: (read: FormReader) => readTemplateAndFields(read, fields),
  fromAdminShape: ({ rest, template }: AdminShape) => ({ ...rest, ...template }),
} as const;
