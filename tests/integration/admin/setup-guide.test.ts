import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSessionToken } from "../../fakes/shopify/session-token";
import { startTestServer, type TestServer } from "../../support/server";
import { snapshotBuild } from "../../../scripts/build-snapshot";
import prisma from "../../../app/db.server";

/**
 * The setup guide on the home page says when double opt-in cannot confirm anyone: no approved
 * optin_confirmation template (that fits what the confirmation sends) in the shop's language.
 */
const SHOP = "setup-guide.myshopify.com";
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const BUTTONS = { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Yes" }, { type: "QUICK_REPLY", text: "Stop" }] };

let server: TestServer;
let snapshot: ReturnType<typeof snapshotBuild> | undefined;

async function home() {
  const response = await fetch(`${server.url}/app`, {
    headers: { authorization: `Bearer ${signSessionToken({ shop: SHOP, apiKey: server.apiKey, secret: server.secret })}`, "user-agent": CHROME_UA },
  });
  expect(response.status).toBe(200);
  return (await response.text()).replaceAll("&#x27;", "'");
}

const confirmation = (language: string, body: string) =>
  prisma.messageTemplate.create({
    data: { shop: SHOP, name: "optin_confirmation", language, category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: body }, BUTTONS] },
  });

beforeAll(async () => {
  snapshot = snapshotBuild();
  server = await startTestServer({}, { root: snapshot.root });
  await prisma.shop.create({ data: { shop: SHOP, name: "Setup Guide", primaryLocale: "de", settings: { create: { doubleOptIn: true } } } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: "shpat_x", isOnline: false } });
});

afterAll(async () => {
  await server?.stop();
  snapshot?.remove();
});

describe("setup guide: the opt-in confirmation template", () => {
  it("says confirmations can't be sent while none is approved in the shop's language", async () => {
    const html = await home();
    expect(html).toContain("Get the opt-in confirmation template approved");
    expect(html).toContain(
      "There is no approved optin_confirmation template in German (de), so opt-in confirmations can't be sent: shoppers who opt in stay pending",
    );
  });

  it("does not count a German template that lacks the confirm and stop buttons", async () => {
    await prisma.messageTemplate.create({
      data: { shop: SHOP, name: "optin_confirmation", language: "de", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "Hallo {{1}}" }] },
    });
    expect(await home()).toContain("so opt-in confirmations can't be sent");
    await prisma.messageTemplate.deleteMany({ where: { shop: SHOP, language: "de" } });
  });

  it("says English stands in when only the English one is approved", async () => {
    await confirmation("en", "Get WhatsApp messages from {{1}}?");
    const html = await home();
    expect(html).toContain("There is no approved optin_confirmation template in German (de): confirmations go out in English");
    expect(html).not.toContain("can't be sent");
  });

  it("drops the warning once the shop's language has one", async () => {
    await confirmation("de", "Nachrichten von {{1}} auf WhatsApp erhalten?");
    const html = await home();
    expect(html).not.toContain("There is no approved optin_confirmation template");
  });

  it("asks nothing of a shop without double opt-in", async () => {
    await prisma.messageTemplate.deleteMany({ where: { shop: SHOP } });
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { doubleOptIn: false } });
    const html = await home();
    expect(html).not.toContain("Get the opt-in confirmation template approved");
  });
});
