import { z } from "zod";

/**
 * Meta's WhatsApp Business Account webhook envelope and the change values Rebound reads. Unknown
 * fields pass through; a change of a field we do not handle is acknowledged and ignored.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
 */
const statusError = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
});

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(statusError).optional(),
});

export const inboundSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
    })
    .passthrough()
    .optional(),
});

export const messagesValueSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) }),
  statuses: z.array(statusSchema).optional(),
  messages: z.array(inboundSchema).optional(),
});

export const templateStatusSchema = z.object({
  event: z.string().min(1),
  message_template_id: z.union([z.number(), z.string()]),
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(1),
  reason: z.string().nullable().optional(),
  /** Meta's explanation of a rejection, when it gives one */
  other_info: z.object({ title: z.string().optional(), description: z.string().optional() }).passthrough().optional(),
});

export const templateCategorySchema = z.object({
  message_template_id: z.union([z.number(), z.string()]),
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(1),
  new_category: z.string().min(1),
  previous_category: z.string().optional(),
  correct_category: z.string().optional(),
});

/**
 * `message_template_quality_update`: a template's quality score changed.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_quality_update
 */
export const templateQualitySchema = z.object({
  previous_quality_score: z.string().optional(),
  new_quality_score: z.enum(["GREEN", "YELLOW", "RED", "UNKNOWN"]),
  message_template_id: z.union([z.number(), z.string()]),
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(1),
});

export const envelopeSchema = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z
    .array(
      z.object({
        id: z.string(),
        time: z.number().optional(),
        changes: z.array(z.object({ field: z.string(), value: z.record(z.string(), z.unknown()) })),
      }),
    )
    .min(1),
});

export type StatusUpdate = z.infer<typeof statusSchema>;
export type InboundWhatsAppMessage = z.infer<typeof inboundSchema>;
