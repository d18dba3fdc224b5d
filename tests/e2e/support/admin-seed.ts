import type { PrismaClient } from "@prisma/client";

/**
 * A shop with a little of everything the admin pages read: templates, a cart, a catalogue with
 * sold-out variants and waiting shoppers, sent and failed messages with their events, orders,
 * attributions, a control group and a campaign. Every row carries the shop it belongs to.
 */
export async function seedShop(prisma: PrismaClient, shop: string, now: Date, label: string) {
  const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  await prisma.shop.create({ data: { shop, name: `${label} Store`, currency: "EUR", timezone: "Europe/Madrid", settings: { create: {} } } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_test", isOnline: false } });
  await prisma.messageTemplate.createMany({
    data: [
      {
        shop, name: "cart_reminder", language: "en", category: "MARKETING", status: "APPROVED",
        components: [
          { type: "HEADER", format: "TEXT", text: "Still thinking it over?" },
          { type: "BODY", text: "You left {{1}} in your cart. Your total is {{2}}. Use code {{3}} for a discount." },
          { type: "FOOTER", text: "Reply STOP to opt out" },
          { type: "BUTTONS", buttons: [{ type: "URL", text: "Back to cart", url: "https://rebound.example/r/{{1}}" }, { type: "QUICK_REPLY", text: "Stop promotions" }] },
        ],
      },
      {
        shop, name: "product_pick", language: "en", category: "MARKETING", status: "APPROVED",
        components: [
          { type: "BODY", text: "{{1}} goes well with your {{2}}." },
          { type: "BUTTONS", buttons: [{ type: "URL", text: "Have a look", url: "https://rebound.example/r/{{1}}" }] },
        ],
      },
      { shop, name: "cart_reminder_pending", language: "en", category: "MARKETING", status: "PENDING", components: [{ type: "BODY", text: "Pending {{1}}" }] },
      { shop, name: "booking_reminder", language: "en", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "See you on {{2}} at {{3}} for {{1}}." }] },
    ],
  });
  await prisma.cart.create({
    data: {
      shop, token: `${label}-cart`, itemCount: 2, totalPrice: "58.00", currency: "EUR", shopifyUpdatedAt: ago(2),
      lines: [{ variantId: "v1", productId: "p1", title: `${label} Ceramic Mug`, quantity: 2, price: "29.00" }],
    },
  });
  await prisma.product.createMany({
    data: [
      { shop, id: "p1", title: `${label} Ceramic Mug`, shopifyUpdatedAt: ago(48) },
      { shop, id: "p2", title: `${label} Linen Apron`, shopifyUpdatedAt: ago(48) },
      { shop, id: "7001", title: `${label} Pour-over Kettle`, shopifyUpdatedAt: ago(48) },
    ],
  });
  await prisma.variant.createMany({
    data: [
      { shop, id: "v1", productId: "p1", title: "Blue", price: "29.00", available: 0, shopifyUpdatedAt: ago(30) },
      { shop, id: "v2", productId: "p2", title: "Default Title", price: "45.00", available: -1, shopifyUpdatedAt: ago(31) },
      { shop, id: "v3", productId: "p1", title: "Red", price: "29.00", available: 12, shopifyUpdatedAt: ago(32) },
    ],
  });
  const subscribers = [];
  for (let i = 0; i < 4; i++) {
    subscribers.push(
      await prisma.subscriber.create({
        data: { shop, phone: `+3461234${label.length}${i}${i}${i}`, callingCode: "34", status: "subscribed", createdAt: ago(24 * (i + 1)) },
      }),
    );
    await prisma.consentEvent.create({ data: { shop, subscriberId: subscribers[i].id, kind: "opt_in", source: "cart_block", occurredAt: ago(24 * (i + 1)) } });
  }
  // Three shoppers wait for the blue mug, one for the apron: the mug ranks first.
  for (const [i, s] of subscribers.entries()) {
    await prisma.backInStockRequest.create({ data: { shop, subscriberId: s.id, variantId: i < 3 ? "v1" : "v2", productId: i < 3 ? "p1" : "p2" } });
  }
  const sent = await prisma.notification.create({
    data: {
      shop, flow: "abandoned_cart", step: 1, dedupKey: `${label}-n1`, subscriberId: subscribers[0].id, status: "read",
      sendAt: ago(26), templateName: "cart_reminder", createdAt: ago(27), sentAt: ago(26), deliveredAt: ago(26), readAt: ago(25), clickedAt: ago(25),
      decision: "send",
    },
  });
  await prisma.notificationEvent.createMany({
    data: [
      { shop, notificationId: sent.id, kind: "gate", detail: { decision: "send" }, at: ago(26.1) },
      { shop, notificationId: sent.id, kind: "sent", at: ago(26) },
      { shop, notificationId: sent.id, kind: "delivered", at: ago(25.9) },
      { shop, notificationId: sent.id, kind: "read", at: ago(25.5) },
      { shop, notificationId: sent.id, kind: "clicked", at: ago(25) },
    ],
  });
  const failed = await prisma.notification.create({
    data: {
      shop, flow: "back_in_stock", dedupKey: `${label}-n2`, subscriberId: subscribers[1].id, status: "failed",
      sendAt: ago(10), templateName: "cart_reminder", createdAt: ago(11), sentAt: ago(10), failedAt: ago(9),
      errorCode: 131049, errorTitle: "This message was not delivered to maintain healthy ecosystem engagement.",
    },
  });
  await prisma.notificationEvent.create({ data: { shop, notificationId: failed.id, kind: "failed", detail: { code: 131049 }, at: ago(9) } });
  await prisma.order.create({
    data: {
      shop, id: `${label}-o1`, subscriberId: subscribers[0].id, totalPrice: "58.00", currency: "EUR", placedAt: ago(24), shopifyUpdatedAt: ago(24),
      lineItems: { create: [{ id: `${label}-li1`, productId: "7001", variantId: "7101", title: `${label} Pour-over Kettle`, quantity: 1, price: "58.00" }] },
    },
  });
  await prisma.attribution.create({
    data: { shop, orderId: `${label}-o1`, notificationId: sent.id, flow: "abandoned_cart", step: 1, revenue: "58.00", currency: "EUR", matchedBy: "cart", attributedAt: ago(24) },
  });
  // The control group: planned for two shoppers and deliberately not sent; one bought anyway.
  for (const [i, s] of [subscribers[2], subscribers[3]].entries()) {
    await prisma.notification.create({
      data: {
        shop, flow: "abandoned_cart", dedupKey: `${label}-h${i}`, subscriberId: s.id, status: "held_out", sendAt: ago(30),
        templateName: "cart_reminder", createdAt: ago(31), decision: "skip", decisionReason: "holdout",
      },
    });
    await prisma.holdoutAssignment.create({ data: { shop, flow: "abandoned_cart", subscriberId: s.id, dedupKey: `${label}-h${i}`, assignedAt: ago(30) } });
  }
  await prisma.order.create({ data: { shop, id: `${label}-o2`, subscriberId: subscribers[2].id, totalPrice: "20.00", placedAt: ago(20), shopifyUpdatedAt: ago(20) } });
  // A customer who never subscribed buys the apron every 21 days, long ago: enough repeats to
  // learn its reorder interval without touching the subscribers' orders the other pages count.
  for (let i = 0; i < 6; i++) {
    const placedAt = ago(24 * (400 - 21 * i));
    await prisma.order.create({
      data: {
        shop, id: `${label}-r${i}`, customerId: `${label}-c9`, totalPrice: "45.00", currency: "EUR", placedAt, shopifyUpdatedAt: placedAt,
        lineItems: { create: [{ id: `${label}-rli${i}`, productId: "p2", variantId: "v2", title: `${label} Linen Apron`, quantity: 1, price: "45.00" }] },
      },
    });
  }
  const campaign = await prisma.campaign.create({
    data: { shop, name: `${label} Winter sale`, templateName: "cart_reminder", status: "draft", audience: { countries: ["34"] }, audienceSize: 4 },
  });
  return { sentId: sent.id, failedId: failed.id, campaignId: campaign.id };
}
