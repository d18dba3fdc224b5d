import { z } from "zod";
import type { AdminShape } from "./fields";

/** Promotions choose their template and audience per campaign; the flow itself has no settings. */
export const promotionSchema = z.object({});
export type PromotionConfig = z.infer<typeof promotionSchema>;

export const promotionSettings = {
  schema: promotionSchema,
  singleTemplate: false,
  fields: [],
  readForm: () => ({}),
  fromAdminShape: ({ rest, template }: AdminShape) => ({ ...rest, ...template }),
} as const;
