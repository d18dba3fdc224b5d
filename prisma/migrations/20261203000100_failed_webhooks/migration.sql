-- Signed Shopify deliveries that could not be applied, kept for an operator to replay
-- (docs/decisions/017-lossless-ids-and-failed-deliveries.md).

-- CreateTable
CREATE TABLE "FailedWebhook" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "triggeredAt" TIMESTAMP(3),
    "body" TEXT NOT NULL,
    "bodyEncoding" TEXT NOT NULL DEFAULT 'utf8',
    "reason" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastTriedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FailedWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FailedWebhook_receivedAt_idx" ON "FailedWebhook"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "FailedWebhook_shop_topic_eventId_key" ON "FailedWebhook"("shop", "topic", "eventId");

