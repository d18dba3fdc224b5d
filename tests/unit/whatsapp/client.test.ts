import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWhatsAppClient, type WhatsAppCredentials } from "../../../app/whatsapp/client.server";
import { WhatsAppApiError, WhatsAppUnreachable } from "../../../app/whatsapp/errors";
import { startFakeWhatsApp, type FakeTemplate, type FakeWhatsApp } from "../../fakes/whatsapp/server";
import { useTestDatabase } from "../../support/database";
import prisma from "../../../app/db.server";
import { syncTemplates } from "../../../app/whatsapp/templates.server";

const credentials: WhatsAppCredentials = { phoneNumberId: "7001", businessAccountId: "8001", accessToken: "secret-token-xyz" };
const templates: FakeTemplate[] = Array.from({ length: 7 }, (_, i) => ({
  name: `tpl_${i}`,
  language: i % 2 ? "es" : "en",
  category: i === 3 ? "UTILITY" : "MARKETING",
  components: [{ type: "BODY", text: "Hola {{1}}" }],
}));

useTestDatabase();
let fake: FakeWhatsApp;

beforeAll(async () => {
  fake = await startFakeWhatsApp({
    numbers: [
      { phoneNumberId: credentials.phoneNumberId, wabaId: credentials.businessAccountId, accessToken: credentials.accessToken, displayPhoneNumber: "+34 910 000 001" },
      ...["7002", "7003", "7004"].map((id) => ({ phoneNumberId: id, wabaId: credentials.businessAccountId, accessToken: credentials.accessToken })),
      { phoneNumberId: "7101", wabaId: "8101", accessToken: "another-business-token" },
    ],
    templates: { [credentials.businessAccountId]: templates },
  });
}, 60_000);

afterAll(async () => {
  await fake.close();
});

const client = (timeoutMs = 2_000) => createWhatsAppClient({ origin: fake.origin, version: "v23.0", timeoutMs, pageSize: 3 });

describe("WhatsApp Cloud API client", () => {
  it("sends a template and returns Meta's message id", async () => {
    const sent = await client().sendTemplate(credentials, { to: "+34612345678", templateName: "tpl_0", language: "en", params: { body: ["Ana"] } });
    expect(sent.waMessageId).toMatch(/^wamid\./);
    expect(sent.waId).toBe("34612345678");
  });

  it("turns Meta's error answers into typed errors", async () => {
    const attempt = (params: { body: string[] }, name = "tpl_0") =>
      client().sendTemplate(credentials, { to: "+34612345678", templateName: name, language: "en", params }).catch((e) => e);
    const mismatch = await attempt({ body: ["a", "b"] });
    expect(mismatch).toBeInstanceOf(WhatsAppApiError);
    expect(mismatch).toMatchObject({ code: 132000, retryable: false, httpStatus: 400 });
    expect(mismatch.merchantReason).toMatch(/number of template parameters/i);
    const missing = await attempt({ body: ["a"] }, "no_such_template");
    expect(missing).toMatchObject({ code: 132001, retryable: false });
    fake.injectFaults(130429);
    expect(await attempt({ body: ["a"] })).toMatchObject({ code: 130429, retryable: true });
    fake.injectFaults("http_500");
    expect(await attempt({ body: ["a"] })).toMatchObject({ httpStatus: 500, retryable: true });
    fake.injectFaults(190);
    const token = await attempt({ body: ["a"] });
    expect(token).toMatchObject({ code: 190, retryable: false, httpStatus: 401 });
    expect(String(token.message)).not.toContain(credentials.accessToken);
  });

  it("gives up on a request that gets no answer, as a retryable error", async () => {
    fake.injectFaults("timeout");
    const error = await client(200)
      .sendTemplate(credentials, { to: "+34612345678", templateName: "tpl_0", language: "en", params: { body: ["a"] } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(WhatsAppUnreachable);
    expect(error.retryable).toBe(true);
  });

  it("lists the account's phone numbers across pages, and says why Meta refused", async () => {
    const account = { businessAccountId: credentials.businessAccountId, accessToken: credentials.accessToken };
    const numbers = await client().listPhoneNumbers(account);
    expect(numbers.map((n) => n.id)).toEqual(["7001", "7002", "7003", "7004"]);
    expect(numbers[0]).toMatchObject({ displayPhoneNumber: "+34 910 000 001" });

    const notYours = await client().listPhoneNumbers({ ...account, businessAccountId: "8101" }).catch((e) => e);
    expect(notYours).toMatchObject({ code: 100, subcode: 33, retryable: false, httpStatus: 400 });
    const badToken = await client().listPhoneNumbers({ ...account, accessToken: "made-up" }).catch((e) => e);
    expect(badToken).toMatchObject({ code: 190, retryable: false });
    expect(String(badToken.message)).not.toContain("made-up");
  });

  it("lists templates across pages and syncs them, keeping the previous category on a change", async () => {
    const listed = await client().listTemplates(credentials);
    expect(listed.map((t) => t.name).sort()).toEqual(templates.map((t) => t.name).sort());

    const shop = "sync.myshopify.com";
    expect(await syncTemplates(shop, client(), credentials, new Date())).toBe(7);
    fake.updateTemplate(credentials.businessAccountId, "tpl_0", "en", { category: "UTILITY" });
    expect(await syncTemplates(shop, client(), credentials, new Date())).toBe(7);
    const t0 = await prisma.messageTemplate.findUniqueOrThrow({ where: { shop_name_language: { shop, name: "tpl_0", language: "en" } } });
    expect(t0).toMatchObject({ category: "UTILITY", previousCategory: "MARKETING", status: "APPROVED" });
    const t3 = await prisma.messageTemplate.findUniqueOrThrow({ where: { shop_name_language: { shop, name: "tpl_3", language: "es" } } });
    expect(t3.previousCategory).toBeNull();
  }, 30_000);
});
