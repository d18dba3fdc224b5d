-- Templates Rebound submits from its library, their review and quality.
ALTER TABLE "MessageTemplate" ADD COLUMN "origin" TEXT NOT NULL DEFAULT 'synced';
ALTER TABLE "MessageTemplate" ADD COLUMN "rejectedReason" TEXT;
ALTER TABLE "MessageTemplate" ADD COLUMN "quality" TEXT;
ALTER TABLE "MessageTemplate" ADD COLUMN "qualityUpdatedAt" TIMESTAMP(3);
ALTER TABLE "MessageTemplate" ADD COLUMN "submittedAt" TIMESTAMP(3);
