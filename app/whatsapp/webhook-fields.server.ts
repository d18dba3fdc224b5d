import { messagesField } from "./field-messages.server";
import { templateQualityField } from "./field-template-quality.server";
import { templateCategoryField, templateStatusField } from "./field-templates.server";
import { userPreferencesField } from "./field-user-preferences.server";
import type { FieldHandler } from "./webhook-fields";

/** Every webhook field Rebound reads, by name. A new field is one handler added here. */
const HANDLERS: FieldHandler[] = [messagesField, templateStatusField, templateCategoryField, templateQualityField, userPreferencesField];

export const FIELD_HANDLERS: ReadonlyMap<string, FieldHandler> = new Map(HANDLERS.map((handler) => [handler.field, handler]));
