import { describe, expect, it } from "vitest";
import { orderPayload, shopifyNumericId, type LineInput } from "../../fakes/shopify/payloads";
import { bodyTexts, linkToken, marketingTemplate, rangeAround, useFlowHarness, utmOf } from "./harness";
import { resultsByCampaign, resultsByFlow } from "../../../app/flows/results.server";

/**
 * A promotion end to end: the merchant creates and launches a campaign from the admin (session
 * token, as App Bridge sends it), the audience is the segment the form chose among shoppers who
 * asked for offers, the dispatcher sends it, a tap lands on the campaign's link, and the order
 * that follows is credited to the campaign.
 */
const h = useFlowHarness({
  shop: "promotion-e2e.myshopify.com",
  templates: [marketingTemplate("weekend_offer", "This weekend only: {{1}} on all beans at {{2}}.")],
  flows: [{ flow: "promotion", config: {} }],
});

const beansProduct = shopifyNumericId();
const beansVariant = shopifyNumericId();
const beans = (bags: number): LineInput => ({ variantId: beansVariant, productId: beansProduct, title: "Single Origin Beans", quantity: bags, price: "18.00" });

describe("promotion, end to end", () => {
  it("launches a campaign from the admin to the chosen segment and credits the order that follows", async () => {
    // Bags at 18.00: who spent 50 or more is ana and ben. Cara spent less, dan declined offers, and ed's +1 number
    // may not get marketing templates at all.
    const people = [
      { name: "ana", phone: "+34644000001", bags: 3 },
      { name: "ben", phone: "+34644000002", bags: 5 },
      { name: "cara", phone: "+34644000003", bags: 1 },
      { name: "dan", phone: "+34644000004", bags: 6, acceptsOffers: false },
      { name: "ed", phone: "+12025550104", bags: 6, callingCode: "1" },
    ];
    const who: Record<string, { id: string; phone: string }> = {};
    for (const p of people) {
      who[p.name] = await h.subscriber(p.phone, { acceptsOffers: p.acceptsOffers ?? true, callingCode: p.callingCode ?? "34" });
      const order = orderPayload({ phone: p.phone, lines: [beans(p.bags)], createdAt: new Date(h.clock.now().getTime() - 20 * 86_400_000) });
      expect((await h.send("orders/create", order)).status).toBe(200);
    }
    await h.tasksSettled();

    const created = await h.adminFetch("/app/campaigns/new", {
      form: {
        intent: "create",
        name: "Weekend beans",
        template: "weekend_offer|en",
        "body.1": "20% off",
        "body.2": "Dune Coffee",
        link: `https://${h.shop}/collections/beans`,
        lastOrderWithinDays: "",
        minSpent: "50",
        countries: "",
        scheduledAt: "",
      },
    });
    expect(created.status).toBe(302);
    const campaignId = /\/app\/campaigns\/([^/?]+)$/.exec(created.headers.get("location") ?? "")?.[1];
    expect(campaignId).toBeTruthy();
    const draft = await h.prisma.campaign.findFirstOrThrow({ where: { shop: h.shop, id: campaignId } });
    expect(draft).toMatchObject({ status: "draft", audienceSize: 2, templateName: "weekend_offer" });
    expect(await h.prisma.notification.count({ where: { shop: h.shop, campaignId } })).toBe(0);

    // An empty time means "send now".
    const launched = await h.adminFetch(`/app/campaigns/${campaignId}`, { form: { intent: "schedule", scheduledAt: "" } });
    expect(launched.status).toBe(200);

    const rows = await h.waitFor("the campaign's messages to be scheduled", async () => {
      const list = await h.prisma.notification.findMany({ where: { shop: h.shop, campaignId } });
      return list.length ? list : null;
    });
    expect(rows.map((n) => n.subscriberId).sort()).toEqual([who.ana.id, who.ben.id].sort());
    const [toAna, toBen] = await Promise.all(
      [who.ana, who.ben].map((s) => h.delivered(rows.find((n) => n.subscriberId === s.id)!.id)),
    );
    for (const [message, s] of [[toAna, who.ana], [toBen, who.ben]] as const) {
      expect(message.template).toBe("weekend_offer");
      expect(message.to.replace(/^\+/, "")).toBe(s.phone.replace(/^\+/, ""));
      expect(bodyTexts(message)).toEqual(["20% off", "Dune Coffee"]);
    }
    expect(h.fake.accepted.filter((m) => m.template === "weekend_offer")).toHaveLength(2);

    const tapped = await h.tapLink(linkToken(toAna));
    expect(tapped.status).toBe(302);
    const location = new URL(tapped.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(`https://${h.shop}/collections/beans`);
    expect(utmOf(location)).toEqual({ utm_source: "whatsapp", utm_medium: "rebound", utm_campaign: "promotion", utm_content: campaignId });
    const anaRow = rows.find((n) => n.subscriberId === who.ana.id)!;
    expect((await h.prisma.notification.findUniqueOrThrow({ where: { id: anaRow.id } })).clickedAt).not.toBeNull();
    expect(await h.prisma.click.count({ where: { shop: h.shop, notificationId: anaRow.id } })).toBe(1);

    const order = orderPayload({ id: shopifyNumericId(), phone: who.ana.phone, lines: [beans(2)], createdAt: new Date(h.clock.now().getTime() + 60_000) });
    expect((await h.send("orders/create", order)).status).toBe(200);
    const credit = await h.waitFor("the attribution", () => h.prisma.attribution.findFirst({ where: { shop: h.shop, orderId: String(order.id) } }));
    expect(credit).toMatchObject({ notificationId: anaRow.id, flow: "promotion", campaignId, matchedBy: "phone" });
    expect(credit.revenue.toString()).toBe("36");

    const range = rangeAround(h.clock);
    expect(await resultsByCampaign(h.shop, range)).toEqual([
      expect.objectContaining({ campaignId, sent: 2, clicked: 1, orders: 1, revenue: "36.00" }),
    ]);
    expect((await resultsByFlow(h.shop, range)).find((r) => r.key === "promotion")).toMatchObject({ sent: 2, orders: 1, revenue: "36.00" });
    // The campaign's own page shows what it earned.
    const page = await h.adminFetch(`/app/campaigns/${campaignId}`, { document: true });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("$36.00");

    // Nothing is left to send, so the next look marks the campaign sent.
    h.clock.advance(2 * 60_000);
    const finished = await h.waitFor("the campaign to be marked sent", async () => {
      const row = await h.prisma.campaign.findFirstOrThrow({ where: { shop: h.shop, id: campaignId } });
      return row.status === "sent" ? row : null;
    });
    expect(finished.finishedAt).not.toBeNull();
  });

  it("launches a campaign scheduled for a time on the shop's clock only once that time comes", async () => {
    const inUk = [await h.subscriber("+447700900001", { callingCode: "44" }), await h.subscriber("+447700900002", { callingCode: "44" })];
    await h.subscriber("+447700900003", { callingCode: "44", acceptsOffers: false });
    const madrid = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit", day: "2-digit" });
    const day = madrid.format(new Date(h.clock.now().getTime() + 2 * 86_400_000));
    const created = await h.adminFetch("/app/campaigns/new", {
      form: {
        intent: "create",
        name: "Monday beans",
        template: "weekend_offer|en",
        "body.1": "10% off",
        "body.2": "Dune Coffee",
        link: "",
        countries: "44",
        scheduledAt: `${day}T10:00`,
      },
    });
    expect(created.status).toBe(302);
    const campaignId = /\/app\/campaigns\/([^/?]+)$/.exec(created.headers.get("location") ?? "")?.[1];
    const campaign = await h.prisma.campaign.findFirstOrThrow({ where: { shop: h.shop, id: campaignId } });
    expect(campaign.status).toBe("scheduled");
    const at = campaign.scheduledAt!;
    const local = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Madrid", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    expect(local.format(at)).toBe(`${day}, 10:00`);

    h.clock.advance(at.getTime() - 60_000 - h.clock.now().getTime());
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await h.prisma.notification.count({ where: { shop: h.shop, campaignId } })).toBe(0);

    h.clock.advance(2 * 60_000);
    const rows = await h.waitFor("the scheduled campaign to launch", async () => {
      const list = await h.prisma.notification.findMany({ where: { shop: h.shop, campaignId } });
      return list.length ? list : null;
    });
    // Everyone in the United Kingdom who takes offers.
    expect(rows.map((n) => n.subscriberId).sort()).toEqual(inUk.map((s) => s.id).sort());
    const messages = await Promise.all(rows.map((n) => h.delivered(n.id)));
    expect(messages.map((m) => bodyTexts(m))).toEqual(rows.map(() => ["10% off", "Dune Coffee"]));
    // Without a link of its own the campaign lands on the storefront.
    const location = new URL((await h.tapLink(linkToken(messages[0]))).headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(`https://${h.shop}/`);
    expect(location.searchParams.get("utm_content")).toBe(campaignId);
  });

  it("counts and schedules only shoppers in the countries the shop sends to, so the estimate is what gets sent", async () => {
    const abroad = await h.subscriber("+33612000001", { callingCode: "33" });
    await h.prisma.shopSettings.update({ where: { shop: h.shop }, data: { allowedCallingCodes: ["34", "44"] } });
    try {
      const created = await h.adminFetch("/app/campaigns/new", {
        form: { intent: "create", name: "Everyone", template: "weekend_offer|en", "body.1": "5% off", "body.2": "Dune Coffee", countries: "" },
      });
      expect(created.status).toBe(302);
      const campaignId = /\/app\/campaigns\/([^/?]+)$/.exec(created.headers.get("location") ?? "")?.[1];
      expect((await h.adminFetch(`/app/campaigns/${campaignId}`, { form: { intent: "schedule", scheduledAt: "" } })).status).toBe(200);
      // Past the hour the gate keeps between two marketing messages to the earlier campaigns' shoppers.
      h.clock.advance(2 * 3_600_000);
      const done = await h.waitFor("every message of the campaign to be decided", async () => {
        const list = await h.prisma.notification.findMany({ where: { shop: h.shop, campaignId } });
        return list.length && list.every((n) => !["scheduled", "sending"].includes(n.status)) ? list : null;
      });
      const campaign = await h.prisma.campaign.findFirstOrThrow({ where: { shop: h.shop, id: campaignId } });
      expect(done.map((n) => n.subscriberId)).not.toContain(abroad.id);
      expect(done.filter((n) => n.status === "skipped").map((n) => n.decisionReason)).toEqual([]);
      expect(done).toHaveLength(campaign.audienceSize ?? -1);
    } finally {
      await h.prisma.shopSettings.update({ where: { shop: h.shop }, data: { allowedCallingCodes: [] } });
    }
  });
});
