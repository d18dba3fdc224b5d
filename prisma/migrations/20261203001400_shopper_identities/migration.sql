-- Shoppers as Meta identifies them: the wa_id Meta resolves on each send, the business-scoped
-- user id (BSUID) a shopper with a WhatsApp username may arrive with instead of a phone number,
-- and a STOP kept by keyed BSUID hash until the BSUID is tied to a subscriber.
-- docs/decisions/035-shoppers-as-meta-identifies-them.md

-- AlterEnum
ALTER TYPE "ConsentKind" ADD VALUE 'marketing_resumed';
ALTER TYPE "ConsentSource" ADD VALUE 'whatsapp_preferences';

-- AlterTable
ALTER TABLE "Subscriber" ADD COLUMN "waId" TEXT, ADD COLUMN "bsuid" TEXT;
ALTER TABLE "Notification" ADD COLUMN "recipientWaId" TEXT;

-- CreateTable
CREATE TABLE "IdentitySuppression" (
    "shop" TEXT NOT NULL,
    "bsuidHash" TEXT NOT NULL,
    "optedOutAt" TIMESTAMP(3),
    "marketingStoppedAt" TIMESTAMP(3),
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdentitySuppression_pkey" PRIMARY KEY ("shop","bsuidHash")
);

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_shop_bsuid_key" ON "Subscriber"("shop", "bsuid");
CREATE INDEX "Subscriber_shop_waId_idx" ON "Subscriber"("shop", "waId");
