-- An install whose Admin API call failed keeps its shop row, marked pending with the reason,
-- until the retrying task reads the shop's details.

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "installPendingReason" TEXT;
