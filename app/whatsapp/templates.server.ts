import type { Prisma, TemplateCategory } from "@prisma/client";
import prisma from "../db.server";
import type { WhatsAppClient, WhatsAppCredentials } from "./client.server";

const CATEGORIES: TemplateCategory[] = ["MARKETING", "UTILITY", "AUTHENTICATION"];
const asCategory = (value: string): TemplateCategory | null => {
  const upper = value.toUpperCase();
  return (CATEGORIES as string[]).includes(upper) ? (upper as TemplateCategory) : null;
};

/**
 * Copies the WhatsApp Business account's templates into MessageTemplate. The category Meta holds
 * now is what counts (it recategorises approved templates), so a change keeps the old one in
 * previousCategory for the admin to explain. Returns how many templates were stored.
 */
export async function syncTemplates(
  shop: string,
  client: WhatsAppClient,
  credentials: WhatsAppCredentials,
  now: Date,
): Promise<number> {
  const remote = await client.listTemplates(credentials);
  let stored = 0;
  for (const template of remote) {
    const category = asCategory(template.category);
    if (!category) continue;
    const key = { shop_name_language: { shop, name: template.name, language: template.language } };
    const existing = await prisma.messageTemplate.findUnique({ where: key, select: { category: true, previousCategory: true } });
    const components = template.components as Prisma.InputJsonValue;
    await prisma.messageTemplate.upsert({
      where: key,
      create: { shop, externalId: template.id, name: template.name, language: template.language, category, status: template.status, components, syncedAt: now },
      update: {
        externalId: template.id,
        category,
        status: template.status,
        components,
        previousCategory: existing && existing.category !== category ? existing.category : existing?.previousCategory ?? null,
        syncedAt: now,
      },
    });
    stored++;
  }
  return stored;
}
