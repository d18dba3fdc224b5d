
-- CreateEnum
CREATE TYPE "ShopStatus" AS ENUM ('installed', 'uninstalled');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('unconfigured', 'healthy', 'token_invalid');

-- CreateEnum
CREATE TYPE "SubscriberStatus" AS ENUM ('pending', 'subscribed', 'unsubscribed');

-- CreateEnum
CREATE TYPE "ConsentScope" AS ENUM ('marketing', 'utility');

-- CreateEnum
CREATE TYPE "ConsentKind" AS ENUM ('opt_in', 'confirmed', 'opt_out', 're_opt_in', 'marketing_stopped');

-- CreateEnum
CREATE TYPE "ConsentSource" AS ENUM ('product_block', 'cart_block', 'cart_embed', 'checkout', 'thank_you', 'whatsapp_reply', 'whatsapp_status', 'admin', 'import');

-- CreateEnum
CREATE TYPE "CartStatus" AS ENUM ('open', 'converted', 'emptied');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('waiting', 'notified', 'cancelled');

-- CreateEnum
CREATE TYPE "Flow" AS ENUM ('abandoned_cart', 'back_in_stock', 'reorder', 'upsell', 'promotion', 'appointment', 'optin_confirmation');

-- CreateEnum
CREATE TYPE "TemplateCategory" AS ENUM ('MARKETING', 'UTILITY', 'AUTHENTICATION');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('scheduled', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled', 'held_out');

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('draft', 'scheduled', 'sending', 'sent', 'cancelled');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('queued', 'running', 'done', 'failed');

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN,
    "locale" TEXT,
    "collaborator" BOOLEAN,
    "emailVerified" BOOLEAN,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "countryCode" TEXT NOT NULL DEFAULT 'US',
    "primaryLocale" TEXT NOT NULL DEFAULT 'en',
    "status" "ShopStatus" NOT NULL DEFAULT 'installed',
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "sendingPausedReason" TEXT,
    "sendingPausedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL,
    "quietHoursStart" INTEGER NOT NULL DEFAULT 1260,
    "quietHoursEnd" INTEGER NOT NULL DEFAULT 540,
    "quietHoursEnabled" BOOLEAN NOT NULL DEFAULT true,
    "marketingCapPerDay" INTEGER NOT NULL DEFAULT 1,
    "marketingCapPerWeek" INTEGER NOT NULL DEFAULT 3,
    "campaignsPerMonth" INTEGER NOT NULL DEFAULT 4,
    "allowedCallingCodes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "blockedCallingCodes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "blockedMarketingCallingCodes" TEXT[] DEFAULT ARRAY['1']::TEXT[],
    "attributionWindowDays" INTEGER NOT NULL DEFAULT 5,
    "doubleOptIn" BOOLEAN NOT NULL DEFAULT true,
    "dataRetentionDays" INTEGER NOT NULL DEFAULT 365,
    "flowPriority" TEXT[] DEFAULT ARRAY['abandoned_cart', 'back_in_stock', 'reorder', 'upsell', 'promotion']::TEXT[],
    "messagingLimitTier" INTEGER NOT NULL DEFAULT 250,
    "useMarketingMessagesApi" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "WhatsAppConnection" (
    "shop" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "businessAccountId" TEXT NOT NULL,
    "displayPhoneNumber" TEXT,
    "accessTokenEnc" TEXT NOT NULL,
    "appSecretEnc" TEXT,
    "verifyTokenEnc" TEXT,
    "graphApiVersion" TEXT NOT NULL DEFAULT 'v23.0',
    "messagesPerSecond" INTEGER NOT NULL DEFAULT 80,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'healthy',
    "statusReason" TEXT,
    "lastTestAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppConnection_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "Subscriber" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "callingCode" TEXT NOT NULL,
    "countryCode" TEXT,
    "customerId" TEXT,
    "email" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "status" "SubscriberStatus" NOT NULL DEFAULT 'pending',
    "scope" "ConsentScope" NOT NULL DEFAULT 'marketing',
    "marketingStoppedAt" TIMESTAMP(3),
    "marketingBlockedUntil" TIMESTAMP(3),
    "acceptsOffers" BOOLEAN NOT NULL DEFAULT true,
    "firstOrderAt" TIMESTAMP(3),
    "lastOrderAt" TIMESTAMP(3),
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "totalSpent" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentEvent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "subscriberId" TEXT NOT NULL,
    "kind" "ConsentKind" NOT NULL,
    "scope" "ConsentScope" NOT NULL DEFAULT 'marketing',
    "source" "ConsentSource" NOT NULL,
    "text" TEXT,
    "textVersion" TEXT,
    "locale" TEXT,
    "deviceHash" TEXT,
    "context" JSONB,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cart" (
    "token" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT,
    "subscriberId" TEXT,
    "checkoutToken" TEXT,
    "status" "CartStatus" NOT NULL DEFAULT 'open',
    "lines" JSONB NOT NULL DEFAULT '[]',
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "totalPrice" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "currency" TEXT,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cart_pkey" PRIMARY KEY ("shop","token")
);

-- CreateTable
CREATE TABLE "Checkout" (
    "token" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "cartToken" TEXT,
    "customerId" TEXT,
    "subscriberId" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "recoveryUrl" TEXT,
    "lines" JSONB NOT NULL DEFAULT '[]',
    "totalPrice" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "currency" TEXT,
    "completedAt" TIMESTAMP(3),
    "orderId" TEXT,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Checkout_pkey" PRIMARY KEY ("shop","token")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT,
    "customerId" TEXT,
    "subscriberId" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "cartToken" TEXT,
    "checkoutToken" TEXT,
    "totalPrice" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "currency" TEXT,
    "financialStatus" TEXT,
    "paidAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "placedAt" TIMESTAMP(3) NOT NULL,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "OrderLineItem" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "title" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price" DECIMAL(14,2) NOT NULL,
    "properties" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "OrderLineItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "handle" TEXT,
    "status" TEXT,
    "imageUrl" TEXT,
    "replenishmentDays" INTEGER,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "Variant" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "title" TEXT,
    "sku" TEXT,
    "price" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "inventoryItemId" TEXT,
    "available" INTEGER,
    "inventoryPolicy" TEXT NOT NULL DEFAULT 'deny',
    "inventoryTracked" BOOLEAN NOT NULL DEFAULT true,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Variant_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "InventoryLevel" (
    "shop" TEXT NOT NULL,
    "inventoryItemId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "available" INTEGER NOT NULL,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InventoryLevel_pkey" PRIMARY KEY ("shop","inventoryItemId","locationId")
);

-- CreateTable
CREATE TABLE "BackInStockRequest" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "subscriberId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "productId" TEXT,
    "status" "RequestStatus" NOT NULL DEFAULT 'waiting',
    "restockId" TEXT,
    "notifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BackInStockRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowSetting" (
    "shop" TEXT NOT NULL,
    "flow" "Flow" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "config" JSONB NOT NULL DEFAULT '{}',
    "holdoutPercent" INTEGER NOT NULL DEFAULT 0,
    "pausedReason" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowSetting_pkey" PRIMARY KEY ("shop","flow")
);

-- CreateTable
CREATE TABLE "MessageTemplate" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "externalId" TEXT,
    "name" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "category" "TemplateCategory" NOT NULL,
    "status" TEXT NOT NULL,
    "components" JSONB NOT NULL DEFAULT '[]',
    "previousCategory" "TemplateCategory",
    "syncedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "flow" "Flow" NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "subscriberId" TEXT,
    "status" "NotificationStatus" NOT NULL DEFAULT 'scheduled',
    "sendAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "templateName" TEXT NOT NULL,
    "templateLanguage" TEXT NOT NULL DEFAULT 'en',
    "params" JSONB NOT NULL DEFAULT '{}',
    "step" INTEGER NOT NULL DEFAULT 0,
    "cartToken" TEXT,
    "variantId" TEXT,
    "orderId" TEXT,
    "campaignId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "decision" TEXT,
    "decisionReason" TEXT,
    "waMessageId" TEXT,
    "errorCode" INTEGER,
    "errorTitle" TEXT,
    "errorDetails" TEXT,
    "sentAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "readAt" TIMESTAMP(3),
    "failedAt" TIMESTAMP(3),
    "clickedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationEvent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "notificationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "detail" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HoldoutAssignment" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "flow" "Flow" NOT NULL,
    "subscriberId" TEXT,
    "dedupKey" TEXT NOT NULL,
    "assignedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HoldoutAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "templateName" TEXT NOT NULL,
    "templateLanguage" TEXT NOT NULL DEFAULT 'en',
    "params" JSONB NOT NULL DEFAULT '{}',
    "audience" JSONB NOT NULL DEFAULT '{}',
    "status" "CampaignStatus" NOT NULL DEFAULT 'draft',
    "scheduledAt" TIMESTAMP(3),
    "audienceSize" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrackedLink" (
    "token" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "notificationId" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrackedLink_pkey" PRIMARY KEY ("token")
);

-- CreateTable
CREATE TABLE "Click" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "notificationId" TEXT NOT NULL,
    "clickedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Click_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attribution" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "notificationId" TEXT,
    "flow" "Flow" NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "campaignId" TEXT,
    "revenue" DECIMAL(14,2) NOT NULL,
    "currency" TEXT,
    "matchedBy" TEXT NOT NULL,
    "attributedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Attribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookReceipt" (
    "eventId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "triggeredAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookReceipt_pkey" PRIMARY KEY ("eventId")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "dedupKey" TEXT,
    "status" "TaskStatus" NOT NULL DEFAULT 'queued',
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateCounter" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RateCounter_pkey" PRIMARY KEY ("key","windowStart")
);

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "report" JSONB NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "WhatsAppConnection_phoneNumberId_key" ON "WhatsAppConnection"("phoneNumberId");

-- CreateIndex
CREATE INDEX "Subscriber_shop_status_createdAt_idx" ON "Subscriber"("shop", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Subscriber_shop_customerId_idx" ON "Subscriber"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Subscriber_shop_email_idx" ON "Subscriber"("shop", "email");

-- CreateIndex
CREATE UNIQUE INDEX "Subscriber_shop_phone_key" ON "Subscriber"("shop", "phone");

-- CreateIndex
CREATE INDEX "ConsentEvent_shop_subscriberId_occurredAt_idx" ON "ConsentEvent"("shop", "subscriberId", "occurredAt");

-- CreateIndex
CREATE INDEX "ConsentEvent_shop_occurredAt_idx" ON "ConsentEvent"("shop", "occurredAt");

-- CreateIndex
CREATE INDEX "Cart_shop_subscriberId_idx" ON "Cart"("shop", "subscriberId");

-- CreateIndex
CREATE INDEX "Cart_shop_customerId_idx" ON "Cart"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Checkout_shop_cartToken_idx" ON "Checkout"("shop", "cartToken");

-- CreateIndex
CREATE INDEX "Checkout_shop_subscriberId_idx" ON "Checkout"("shop", "subscriberId");

-- CreateIndex
CREATE INDEX "Order_shop_customerId_placedAt_idx" ON "Order"("shop", "customerId", "placedAt");

-- CreateIndex
CREATE INDEX "Order_shop_subscriberId_placedAt_idx" ON "Order"("shop", "subscriberId", "placedAt");

-- CreateIndex
CREATE INDEX "Order_shop_cartToken_idx" ON "Order"("shop", "cartToken");

-- CreateIndex
CREATE INDEX "Order_shop_placedAt_idx" ON "Order"("shop", "placedAt");

-- CreateIndex
CREATE INDEX "OrderLineItem_shop_orderId_idx" ON "OrderLineItem"("shop", "orderId");

-- CreateIndex
CREATE INDEX "OrderLineItem_shop_productId_idx" ON "OrderLineItem"("shop", "productId");

-- CreateIndex
CREATE INDEX "OrderLineItem_shop_variantId_idx" ON "OrderLineItem"("shop", "variantId");

-- CreateIndex
CREATE INDEX "Variant_shop_productId_idx" ON "Variant"("shop", "productId");

-- CreateIndex
CREATE INDEX "Variant_shop_inventoryItemId_idx" ON "Variant"("shop", "inventoryItemId");

-- CreateIndex
CREATE INDEX "BackInStockRequest_shop_variantId_status_createdAt_idx" ON "BackInStockRequest"("shop", "variantId", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "BackInStockRequest_shop_subscriberId_variantId_key" ON "BackInStockRequest"("shop", "subscriberId", "variantId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageTemplate_shop_name_language_key" ON "MessageTemplate"("shop", "name", "language");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_waMessageId_key" ON "Notification"("waMessageId");

-- CreateIndex
CREATE INDEX "Notification_status_sendAt_idx" ON "Notification"("status", "sendAt");

-- CreateIndex
CREATE INDEX "Notification_leaseUntil_idx" ON "Notification"("leaseUntil");

-- CreateIndex
CREATE INDEX "Notification_shop_subscriberId_sentAt_idx" ON "Notification"("shop", "subscriberId", "sentAt");

-- CreateIndex
CREATE INDEX "Notification_shop_cartToken_idx" ON "Notification"("shop", "cartToken");

-- CreateIndex
CREATE INDEX "Notification_shop_variantId_status_idx" ON "Notification"("shop", "variantId", "status");

-- CreateIndex
CREATE INDEX "Notification_shop_campaignId_status_idx" ON "Notification"("shop", "campaignId", "status");

-- CreateIndex
CREATE INDEX "Notification_shop_flow_createdAt_idx" ON "Notification"("shop", "flow", "createdAt");

-- CreateIndex
CREATE INDEX "Notification_shop_createdAt_idx" ON "Notification"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_shop_dedupKey_key" ON "Notification"("shop", "dedupKey");

-- CreateIndex
CREATE INDEX "NotificationEvent_notificationId_at_idx" ON "NotificationEvent"("notificationId", "at");

-- CreateIndex
CREATE INDEX "HoldoutAssignment_shop_flow_assignedAt_idx" ON "HoldoutAssignment"("shop", "flow", "assignedAt");

-- CreateIndex
CREATE INDEX "HoldoutAssignment_shop_subscriberId_idx" ON "HoldoutAssignment"("shop", "subscriberId");

-- CreateIndex
CREATE UNIQUE INDEX "HoldoutAssignment_shop_dedupKey_key" ON "HoldoutAssignment"("shop", "dedupKey");

-- CreateIndex
CREATE INDEX "Campaign_shop_createdAt_idx" ON "Campaign"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "TrackedLink_shop_notificationId_idx" ON "TrackedLink"("shop", "notificationId");

-- CreateIndex
CREATE INDEX "Click_shop_notificationId_idx" ON "Click"("shop", "notificationId");

-- CreateIndex
CREATE INDEX "Click_shop_clickedAt_idx" ON "Click"("shop", "clickedAt");

-- CreateIndex
CREATE INDEX "Attribution_shop_flow_attributedAt_idx" ON "Attribution"("shop", "flow", "attributedAt");

-- CreateIndex
CREATE INDEX "Attribution_shop_campaignId_idx" ON "Attribution"("shop", "campaignId");

-- CreateIndex
CREATE UNIQUE INDEX "Attribution_shop_orderId_key" ON "Attribution"("shop", "orderId");

-- CreateIndex
CREATE INDEX "WebhookReceipt_shop_receivedAt_idx" ON "WebhookReceipt"("shop", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookReceipt_receivedAt_idx" ON "WebhookReceipt"("receivedAt");

-- CreateIndex
CREATE INDEX "Task_status_runAt_idx" ON "Task"("status", "runAt");

-- CreateIndex
CREATE UNIQUE INDEX "Task_shop_dedupKey_key" ON "Task"("shop", "dedupKey");

-- CreateIndex
CREATE INDEX "RateCounter_windowStart_idx" ON "RateCounter"("windowStart");

-- CreateIndex
CREATE INDEX "DataRequest_shop_requestedAt_idx" ON "DataRequest"("shop", "requestedAt");

-- AddForeignKey
ALTER TABLE "ShopSettings" ADD CONSTRAINT "ShopSettings_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("shop") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WhatsAppConnection" ADD CONSTRAINT "WhatsAppConnection_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("shop") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentEvent" ADD CONSTRAINT "ConsentEvent_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLineItem" ADD CONSTRAINT "OrderLineItem_shop_orderId_fkey" FOREIGN KEY ("shop", "orderId") REFERENCES "Order"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackInStockRequest" ADD CONSTRAINT "BackInStockRequest_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "Subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationEvent" ADD CONSTRAINT "NotificationEvent_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "Notification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Click" ADD CONSTRAINT "Click_token_fkey" FOREIGN KEY ("token") REFERENCES "TrackedLink"("token") ON DELETE CASCADE ON UPDATE CASCADE;

