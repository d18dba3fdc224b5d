-- Meta's limits and signals: the messaging limit as read from Meta, account pauses with an end,
-- quality and spam-limit state per number, and the US marketing block by region.
ALTER TYPE "ConnectionStatus" ADD VALUE IF NOT EXISTS 'access_removed';

ALTER TABLE "Shop" ADD COLUMN "sendingPausedUntil" TIMESTAMP(3);

ALTER TABLE "ShopSettings" ADD COLUMN "messagingLimitReadAt" TIMESTAMP(3);
ALTER TABLE "ShopSettings" ADD COLUMN "marketingMessagesApiChosen" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ShopSettings" ADD COLUMN "blockUsMarketing" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "ShopSettings" ALTER COLUMN "blockedMarketingCallingCodes" SET DEFAULT ARRAY[]::TEXT[];
-- The old default closed every +1 number to marketing; the region setting (on) replaces it, so
-- Canadian and Caribbean shoppers get marketing again while US numbers stay blocked. Any other
-- code a merchant added is kept.
UPDATE "ShopSettings" SET "blockedMarketingCallingCodes" = array_remove("blockedMarketingCallingCodes", '1')
 WHERE '1' = ANY("blockedMarketingCallingCodes");

ALTER TABLE "WhatsAppConnection" ADD COLUMN "qualityRating" TEXT;
ALTER TABLE "WhatsAppConnection" ADD COLUMN "qualityEvent" TEXT;
ALTER TABLE "WhatsAppConnection" ADD COLUMN "qualityEventAt" TIMESTAMP(3);
ALTER TABLE "WhatsAppConnection" ADD COLUMN "accountWarning" TEXT;
ALTER TABLE "WhatsAppConnection" ADD COLUMN "accountWarningAt" TIMESTAMP(3);
ALTER TABLE "WhatsAppConnection" ADD COLUMN "spamHeldAt" TIMESTAMP(3);
ALTER TABLE "WhatsAppConnection" ADD COLUMN "spamHeldUntil" TIMESTAMP(3);
