-- A back-in-stock message's link is made on its first tap, from the token's notification id
-- and this destination, instead of one TrackedLink row per message at fan-out time.

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "linkDestination" TEXT;
