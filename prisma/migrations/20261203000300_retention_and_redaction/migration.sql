-- Retention applied per shop, suppressions that outlive erased subscribers, and anonymous
-- counts of erased consent (docs/decisions/018-retention-and-redaction.md).

-- AlterEnum
ALTER TYPE "ConsentSource" ADD VALUE 'suppression';

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "retentionAppliedAt" TIMESTAMP(3),
ADD COLUMN     "retentionBacklog" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "retentionLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "retentionRemoved" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "PhoneSuppression" (
    "shop" TEXT NOT NULL,
    "phoneHash" TEXT NOT NULL,
    "optedOutAt" TIMESTAMP(3),
    "marketingStoppedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PhoneSuppression_pkey" PRIMARY KEY ("shop","phoneHash")
);

-- CreateTable
CREATE TABLE "ConsentTally" (
    "shop" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "kind" "ConsentKind" NOT NULL,
    "source" "ConsentSource" NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "ConsentTally_pkey" PRIMARY KEY ("shop","month","kind","source")
);
