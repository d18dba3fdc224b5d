import { accountUpdateField } from "./field-account-update.server";
import { businessCapabilityField } from "./field-business-capability.server";
import { messagesField } from "./field-messages.server";
import { templateQualityField } from "./field-template-quality.server";
import { qualityUpdateField } from "./field-quality-update.server";
import { templateCategoryField, templateStatusField } from "./field-templates.server";
import { userPreferencesField } from "./field-user-preferences.server";
import type { FieldHandler } from "./webhook-fields";

/** Every webhook field Rebound reads, by name. A new field is one handler added here. */
const HANDLERS: FieldHandler[] = [
  messagesField,
  templateStatusField,
  templateCategoryField,
  templateQualityField,
  userPreferencesField,
  businessCapabilityField,
  qualityUpdateField,
  accountUpdateField,
];

export const FIELD_HANDLERS: ReadonlyMap<string, FieldHandler> = new Map(HANDLERS.map((handler) => [handler.field, handler]));
