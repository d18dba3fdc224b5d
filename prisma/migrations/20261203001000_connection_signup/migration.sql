-- Embedded Signup: a connection records how it was made, and the two-step verification PIN
-- Rebound registered the number with (an encrypted envelope, like the token).
-- docs/decisions/031-embedded-signup.md

-- CreateEnum
CREATE TYPE "ConnectionMethod" AS ENUM ('manual', 'signup');

-- AlterTable
ALTER TABLE "WhatsAppConnection" ADD COLUMN "connectedVia" "ConnectionMethod" NOT NULL DEFAULT 'manual',
ADD COLUMN "registrationPinEnc" TEXT;
