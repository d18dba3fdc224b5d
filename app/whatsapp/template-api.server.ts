import { z } from "zod";
import { env } from "../env.server";
import type { WhatsAppCredentials } from "./client.server";
import { graphCall } from "./graph-transport.server";
import { WhatsAppApiError } from "./errors";

/**
 * Creating and editing message templates through the WhatsApp Business Management API.
 *   POST /{waba-id}/message_templates {name, language, category, parameter_format, components}
 *     -> {id, status: PENDING | APPROVED | REJECTED, category}
 *   POST /{template-id} {components} -> {success: true}  (the template goes back to review)
 * Meta refuses a name and language the account already has with Graph error 100, subcode
 * 2388024; 2388023 while a deleted template of that name is still being removed.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates
 * https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/
 */
export const TEMPLATE_EXISTS_SUBCODE = 2388024;
export const TEMPLATE_BEING_DELETED_SUBCODE = 2388023;

export interface NewTemplate {
  name: string;
  language: string;
  category: string;
  components: unknown[];
}

export interface CreatedTemplate {
  id: string;
  status: string;
  category: string;
}

const createdAnswer = z.object({ id: z.string().min(1), status: z.string().default("PENDING"), category: z.string().optional() });
const editedAnswer = z.object({ success: z.boolean() });

function graph() {
  const config = env();
  return { base: `${config.WHATSAPP_API_ORIGIN.replace(/\/$/, "")}/${config.WHATSAPP_API_VERSION}`, timeoutMs: 15_000 };
}

export async function createTemplate(credentials: WhatsAppCredentials, template: NewTemplate): Promise<CreatedTemplate> {
  const { base, timeoutMs } = graph();
  const body = JSON.stringify({ ...template, parameter_format: "POSITIONAL" });
  const answer = await graphCall(`${base}/${encodeURIComponent(credentials.businessAccountId)}/message_templates`, credentials.accessToken, {
    method: "POST",
    body,
    timeoutMs,
  });
  const parsed = createdAnswer.safeParse(answer);
  if (!parsed.success) throw new WhatsAppApiError({ code: 1, title: "Unexpected template creation answer", httpStatus: 502 });
  return { id: parsed.data.id, status: parsed.data.status, category: parsed.data.category ?? template.category };
}

export async function editTemplate(credentials: WhatsAppCredentials, templateId: string, components: unknown[]): Promise<void> {
  const { base, timeoutMs } = graph();
  const answer = await graphCall(`${base}/${encodeURIComponent(templateId)}`, credentials.accessToken, {
    method: "POST",
    body: JSON.stringify({ components }),
    timeoutMs,
  });
  const parsed = editedAnswer.safeParse(answer);
  if (!parsed.success || !parsed.data.success) throw new WhatsAppApiError({ code: 1, title: "Unexpected template edit answer", httpStatus: 502 });
}
