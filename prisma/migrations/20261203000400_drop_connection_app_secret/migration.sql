-- Every WhatsApp webhook is signed by Rebound's own Meta app and verified with its secret from
-- the environment (WHATSAPP_APP_SECRET). A secret a merchant typed in could sign deliveries for
-- any shop's number, so per-connection app secrets are gone, stored ones included.
-- docs/decisions/019-one-meta-app-secret.md

-- AlterTable
ALTER TABLE "WhatsAppConnection" DROP COLUMN "appSecretEnc";
