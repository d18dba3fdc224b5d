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
  /** The recipient's wa_id */
  recipient_id: z.string().optional(),
  /** The recipient's business-scoped user id */
  recipient_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(statusError).optional(),
});

/**
 * A business-scoped user id: ISO country code, a period, alphanumerics ("US.13491208655302741918");
 * a parent BSUID shared across portfolios has ".ENT." ("US.ENT.11815799212886844830").
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
const bsuid = z.string().min(1).max(200); // read as given: a change is never refused over its format

/**
 * A shopper's message. `from` (their wa_id) may be absent for a shopper who adopted a WhatsApp
 * username; `from_user_id` (their BSUID) is then what names them.
 */
export const inboundSchema = z.object({
  from: z.string().min(1).optional(),
  from_user_id: bsuid.optional(),
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

/** Who sent the messages: wa_id and user_id (BSUID) each may be absent, username only for username users. */
const contactSchema = z.object({
  wa_id: z.string().min(1).optional(),
  user_id: bsuid.optional(),
  username: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).passthrough().optional(),
});

const metadataSchema = z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) });

export const messagesValueSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  metadata: metadataSchema,
  contacts: z.array(contactSchema).optional(),
  statuses: z.array(statusSchema).optional(),
  messages: z.array(inboundSchema).optional(),
});

/**
 * `user_preferences`: a shopper stopped or resumed marketing messages inside WhatsApp.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences
 */
export const userPreferenceSchema = z
  .object({
    wa_id: z.string().min(1).optional(),
    user_id: bsuid.optional(),
    detail: z.string().optional(),
    category: z.string().min(1),
    value: z.string().min(1),
    timestamp: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
  })
  .refine((p) => p.wa_id !== undefined || p.user_id !== undefined, { message: "names no shopper (wa_id or user_id)" });

export const userPreferencesValueSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  metadata: metadataSchema,
  contacts: z.array(contactSchema).optional(),
  user_preferences: z.array(userPreferenceSchema).min(1),
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

/**
 * Account-level signals. A limit arrives as a tier ("TIER_2K") or a count (-1 = unlimited).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update
 */
const limitValue = z.union([z.number(), z.string()]);

export const businessCapabilitySchema = z.object({
  max_daily_conversations_per_business: limitValue.optional(),
  max_daily_conversation_per_phone: limitValue.optional(),
  max_phone_numbers_per_business: z.number().optional(),
  max_phone_numbers_per_waba: z.number().optional(),
});

export const qualityUpdateSchema = z.object({
  display_phone_number: z.string().min(1),
  event: z.string().min(1),
  current_limit: z.string().optional(),
  old_limit: z.string().optional(),
  max_daily_conversations_per_business: limitValue.optional(),
});

export const accountUpdateSchema = z.object({
  event: z.string().min(1),
  waba_info: z.object({ waba_id: z.string().optional(), owner_business_id: z.string().optional() }).passthrough().optional(),
  violation_info: z.object({ violation_type: z.string().optional() }).passthrough().optional(),
  restriction_info: z.array(z.object({ restriction_type: z.string(), expiration: z.string().optional() })).optional(),
  ban_info: z.object({ waba_ban_state: z.string().optional(), waba_ban_date: z.string().optional() }).passthrough().optional(),
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
export type InboundContact = z.infer<typeof contactSchema>;
export type UserPreference = z.infer<typeof userPreferenceSchema>;
