-- AlterEnum
ALTER TYPE "ConsentKind" ADD VALUE 'merchant_claim';

-- AlterEnum
ALTER TYPE "ConsentSource" ADD VALUE 'shopify_admin';
