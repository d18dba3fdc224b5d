-- Meta's subscription check (GET) is answered with one verify token set on Rebound's Meta app
-- and read from the environment (WHATSAPP_VERIFY_TOKEN): the webhook is configured once for every
-- merchant, so per-connection verify tokens are gone, stored ones included.
-- docs/decisions/023-one-verify-token.md

-- AlterTable
ALTER TABLE "WhatsAppConnection" DROP COLUMN "verifyTokenEnc";
