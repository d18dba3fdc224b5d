import { z } from "zod";
import { language, readTemplateAndFields, templateName, type AdminShape, type FieldSpec, type FormReader } from "./fields";

export const backInStockSchema = z.object({
  /** Body parameters: {{1}} product title, {{2}} variant title */
  templateName: templateName.default("back_in_stock"),
  language,
  /** Messages per unit that came back; null = everyone waiting */
  messagesPerUnit: z.number().int().min(1).max(100).nullable().default(null),
  /** Send this many minutes after the restock */
  delayMinutes: z.number().int().min(0).max(24 * 60).default(0),
  validHours: z.number().int().min(1).max(24 * 14).default(48),
});
export type BackInStockConfig = z.infer<typeof backInStockSchema>;

const fields = [
  { key: "delayMinutes", kind: "number" },
  { key: "messagesPerUnit", kind: "optionalNumber" },
  { key: "validHours", kind: "number" },
] as const satisfies readonly FieldSpec<keyof BackInStockConfig>[];

/** The old shape's step delay, in hours, is the delay after the restock. */
function fromAdminShape({ rest, template, hours }: AdminShape) {
  return { ...rest, ...template, ...(hours !== undefined ? { delayMinutes: Math.round(hours * 60) } : {}) };
}

export const backInStockSettings = {
  schema: backInStockSchema,
  singleTemplate: true,
  fields,
  readForm: (read: FormReader) => readTemplateAndFields(read, fields),
  fromAdminShape,
} as const;
