import { z } from "zod";
import { language, readTemplateAndFields, templateName, type AdminShape, type FieldSpec, type FormReader } from "./fields";

export const upsellSchema = z.object({
  /** Body parameters: {{1}} recommended product title, {{2}} purchased product title */
  templateName: templateName.default("you_may_also_like"),
  language,
  delayDays: z.number().min(0).max(90).default(7),
  /** Co-purchases needed before a pairing is trusted over the merchant's pick */
  minCoPurchases: z.number().int().min(1).max(1000).default(3),
  /** A single product to suggest when pairings are too thin; tried before the collection */
  fallbackProductId: z.string().trim().min(1).nullable().default(null),
  /** Numeric id of the collection whose first suitable product is suggested otherwise */
  fallbackCollectionId: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().replace(/^gid:\/\/shopify\/Collection\//, "") || null : v),
    z.string().regex(/^\d+$/, "choose one of your collections").nullable().default(null),
  ),
  validDays: z.number().int().min(1).max(60).default(7),
});
export type UpsellConfig = z.infer<typeof upsellSchema>;

const fields = [
  { key: "delayDays", kind: "number" },
  { key: "minCoPurchases", kind: "number" },
  { key: "fallbackProductId", kind: "optionalText" },
  { key: "fallbackCollectionId", kind: "collection" },
  { key: "validDays", kind: "number" },
] as const satisfies readonly FieldSpec<keyof UpsellConfig>[];

/** The old shape's step delay, in hours, is the delay after the order. */
function fromAdminShape({ rest, template, hours }: AdminShape) {
  return { ...rest, ...template, ...(hours !== undefined ? { delayDays: hours / 24 } : {}) };
}

export const upsellSettings = {
  schema: upsellSchema,
  singleTemplate: true,
  fields,
  readForm: (read: FormReader) => readTemplateAndFields(read, fields),
  fromAdminShape,
} as const;
