import type { Flow } from "@prisma/client";
import type { FakeTemplate } from "../../fakes/whatsapp/server";
import { encryptSecret } from "../../../app/security/encryption.server";

/** Configuration the app reads at start, for tests that use its modules in-process. */
export function appTestEnv(extra: Record<string, string> = {}) {
  Object.assign(process.env, {
    NODE_ENV: "test",
    SHOPIFY_API_KEY: "test-api-key",
    SHOPIFY_API_SECRET: "test-api-secret",
    SHOPIFY_APP_URL: "http://127.0.0.1:3000",
    ENCRYPTION_KEYS: "k1:" + Buffer.alloc(32, 7).toString("base64"),
    CONSENT_HASH_SALT: "test-salt",
    LOG_LEVEL: "error",
    ...extra,
  });
}

export const TEMPLATES: FakeTemplate[] = [
  {
    name: "optin_confirmation",
    language: "en",
    category: "UTILITY",
    components: [
      { type: "BODY", text: "Hi {{1}}, reply YES to get WhatsApp messages from {{2}}." },
      { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Yes" }, { type: "QUICK_REPLY", text: "Stop promotions" }] },
    ],
  },
  {
    name: "spring_offer",
    language: "en",
    category: "MARKETING",
    components: [
      { type: "HEADER", format: "IMAGE" },
      { type: "BODY", text: "{{1}}: {{2}} off this week." },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Shop", url: "https://shop.example/r/{{1}}" }, { type: "QUICK_REPLY", text: "Stop promotions" }] },
    ],
  },
];

export interface SeededShop {
  shop: string;
  phoneNumberId: string;
  wabaId: string;
  token: string;
}

type Prisma = typeof import("../../../app/db.server").default;

/** A connected shop that may send at any hour, with both templates synced as approved. */
export async function seedShop(prisma: Prisma, seed: SeededShop, settings: Record<string, unknown> = {}) {
  await prisma.shop.create({
    data: {
      shop: seed.shop,
      timezone: "Europe/Madrid",
      settings: {
        create: {
          quietHoursEnabled: false,
          marketingCapPerDay: 1,
          marketingCapPerWeek: 3,
          messagingLimitTier: 0,
          ...settings,
        },
      },
      connection: {
        create: {
          phoneNumberId: seed.phoneNumberId,
          businessAccountId: seed.wabaId,
          accessTokenEnc: encryptSecret(seed.token),
          messagesPerSecond: 200,
        },
      },
    },
  });
  for (const t of TEMPLATES) {
    await prisma.messageTemplate.create({
      data: { shop: seed.shop, name: t.name, language: t.language, category: t.category, status: "APPROVED", components: t.components as object[] },
    });
  }
}

/** `count` subscribers, each with one message of `flow` due now. Returns the notification ids. */
export async function seedMessages(prisma: Prisma, shop: string, count: number, flow: Flow = "optin_confirmation", now = new Date()) {
  const campaign =
    flow === "promotion" ? await prisma.campaign.create({ data: { shop, name: "Spring", templateName: "spring_offer", status: "sending" } }) : null;
  const ids: string[] = [];
  const taken = await prisma.subscriber.count({ where: { shop } });
  for (let i = 0; i < count; i++) {
    const subscriber = await prisma.subscriber.create({
      data: { shop, phone: `+3461${String(1000000 + taken + i).padStart(7, "0")}`, callingCode: "34", status: "subscribed" },
    });
    const params =
      flow === "promotion"
        ? {
            headerImageUrl: "https://cdn.example/spring.png",
            body: ["Spring", "20%"],
            buttons: [
              { index: 0, type: "url", suffix: `t${i}` },
              { index: 1, type: "quick_reply", payload: "REBOUND_STOP" },
            ],
          }
        : { body: [`Shopper ${i}`, "Rebound Store"] };
    const row = await prisma.notification.create({
      data: {
        shop,
        flow,
        dedupKey: `${flow}:${taken + i}`,
        subscriberId: subscriber.id,
        sendAt: new Date(now.getTime() - 1000),
        expiresAt: new Date(now.getTime() + 7 * 24 * 3_600_000),
        templateName: flow === "promotion" ? "spring_offer" : "optin_confirmation",
        templateLanguage: "en",
        params,
        campaignId: campaign?.id ?? null,
      },
    });
    ids.push(row.id);
  }
  return ids;
}
