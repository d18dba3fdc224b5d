#!/usr/bin/env bash
# Regenerates the client and the SQL of the newest migration from prisma/schema.prisma.
# Use only while that migration has not shipped; once it has, create a new migration folder.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/rebound-schema.lock
flock 9
latest=$(ls -d prisma/migrations/*/ | sort | tail -1)
base=$(ls -d prisma/migrations/*/ | sort | tail -2 | head -1)
if [ "$latest" = "$base" ]; then
  npx prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script \
    | sed '/^-- CreateSchema$/d; /CREATE SCHEMA IF NOT EXISTS "public";/d' > "$latest/migration.sql"
else
  echo "several migrations: create a new folder and use prisma migrate diff --from-migrations" >&2
  exit 1
fi
npx prisma generate >/dev/null
echo "regenerated $latest and the Prisma client"
