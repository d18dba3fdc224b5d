import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { rawSql } from "../../../app/db.server";
import * as encryption from "../../../app/security/encryption.server";
import * as rotation from "../../../app/security/key-rotation.server";
import * as columns from "../../../app/security/encrypted-columns";

const db = useTestDatabase();


const OLD = "k1:" + Buffer.alloc(32, 7).toString("base64");
const NEW = "k2:" + Buffer.alloc(32, 42).toString("base64");


const envelopes = async () =>
  db.prisma.whatsAppConnection.findMany({ orderBy: { shop: "asc" }, select: { shop: true, accessTokenEnc: true } });

describe("key rotation", () => {
  it("lists every encrypted column of the schema", () => {
    const schema = readFileSync(path.resolve("prisma/schema.prisma"), "utf8");
    const declared: string[] = [];
    let model = "";
    for (const line of schema.split("\n")) {
      const m = /^model (\w+)/.exec(line);
      if (m) model = m[1];
      const field = /^\s+(\w+Enc)\s/.exec(line);
      if (field) declared.push(`${model}.${field[1]}`);
    }
    const listed = columns.ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`);
    expect(declared.length).toBeGreaterThan(0);
    for (const name of declared) expect(listed).toContain(name);
  });

  it("re-encrypts rows under the first key, batch by batch; they then open with the new key alone; a second run changes nothing", async () => {
    const oldRing = encryption.parseKeys(OLD);
    const ring = encryption.parseKeys(`${NEW},${OLD}`);
    const newOnly = encryption.parseKeys(NEW);
    for (let i = 0; i < 5; i++) {
      const shop = `rotate-${i}.myshopify.com`;
      await db.prisma.shop.create({ data: { shop } });
      await db.prisma.whatsAppConnection.create({
        data: {
          shop,
          phoneNumberId: `90${i}`,
          businessAccountId: `91${i}`,
          accessTokenEnc: encryption.encryptSecret(`token-${i}`, oldRing),
        },
      });
    }
    // One already under the new key, one no key opens.
    await db.prisma.shop.create({ data: { shop: "rotate-new.myshopify.com" } });
    await db.prisma.whatsAppConnection.create({
      data: { shop: "rotate-new.myshopify.com", phoneNumberId: "980", businessAccountId: "981", accessTokenEnc: encryption.encryptSecret("token-new", newOnly) },
    });
    await db.prisma.shop.create({ data: { shop: "rotate-lost.myshopify.com" } });
    const lost = encryption.encryptSecret("token-lost", encryption.parseKeys("k0:" + Buffer.alloc(32, 1).toString("base64")));
    await db.prisma.whatsAppConnection.create({ data: { shop: "rotate-lost.myshopify.com", phoneNumberId: "990", businessAccountId: "991", accessTokenEnc: lost } });

    const report = await rotation.rotateEncryptionKeys(rawSql(), ring, { batchSize: 2 });
    expect(report.rotated).toBe(5);
    expect(report.unreadable).toBe(1);
    expect(report.remaining["WhatsAppConnection.accessTokenEnc"]).toEqual({ k0: 1, k2: 6 });
    expect(report.skipped).toEqual([]);

    const rows = await envelopes();
    for (const row of rows.filter((r) => r.shop !== "rotate-lost.myshopify.com")) {
      const i = row.shop.replace(/^rotate-|\.myshopify\.com$/g, "");
      expect(encryption.decryptSecret(row.accessTokenEnc, newOnly)).toBe(`token-${i}`);
    }
    expect(rows.find((r) => r.shop === "rotate-lost.myshopify.com")?.accessTokenEnc).toBe(lost);

    const again = await rotation.rotateEncryptionKeys(rawSql(), ring, { batchSize: 2 });
    expect(again.rotated).toBe(0);
    expect(again.remaining).toEqual(report.remaining);
    expect(await envelopes()).toEqual(rows);
  });

  it("skips a listed column the database no longer has and still rotates the others", async () => {
    const ring = encryption.parseKeys(`${NEW},${OLD}`);
    await db.prisma.whatsAppConnection.update({
      where: { shop: "rotate-0.myshopify.com" },
      data: { accessTokenEnc: encryption.encryptSecret("token-0", encryption.parseKeys(OLD)) },
    });
    // A listed column a migration removed before the list caught up (verifyTokenEnc went in
    // 20261203000800): rotation must not depend on it.
    const gone = { table: "WhatsAppConnection", key: "shop", column: "verifyTokenEnc" };
    const report = await rotation.rotateEncryptionKeys(rawSql(), ring, { columns: [gone, ...columns.ENCRYPTED_COLUMNS] });
    expect(report).toMatchObject({ rotated: 1, unreadable: 1, skipped: ["WhatsAppConnection.verifyTokenEnc"] });
    expect(report.remaining["WhatsAppConnection.accessTokenEnc"]).toEqual({ k0: 1, k2: 6 });
    expect(report.remaining).not.toHaveProperty("WhatsAppConnection.verifyTokenEnc");
    const row = await db.prisma.whatsAppConnection.findUniqueOrThrow({ where: { shop: "rotate-0.myshopify.com" } });
    expect(encryption.decryptSecret(row.accessTokenEnc, encryption.parseKeys(NEW))).toBe("token-0");
  });

  it.skipIf(!process.env.DATABASE_URL)("npm run keys:rotate reports per key id", async () => {
    await db.prisma.whatsAppConnection.deleteMany({ where: { shop: "rotate-lost.myshopify.com" } });
    await db.prisma.whatsAppConnection.update({
      where: { shop: "rotate-0.myshopify.com" },
      data: { accessTokenEnc: encryption.encryptSecret("token-0", encryption.parseKeys(OLD)) },
    });
    const run = promisify(execFile);
    const { stdout } = await run(path.resolve("node_modules/.bin/tsx"), ["server/rotate-keys.ts"], {
      env: { NODE_ENV: "test", PATH: process.env.PATH, DATABASE_URL: process.env.DATABASE_URL, ENCRYPTION_KEYS: `${NEW},${OLD}` },
    });
    const last = stdout.trim().split("\n").pop()!;
    expect(last.startsWith("KEYS ")).toBe(true);
    const report = JSON.parse(last.slice(5));
    expect(report).toMatchObject({ current: "k2", rotated: 1, unreadable: 0, skipped: [] });
    expect(report.remaining["WhatsAppConnection.accessTokenEnc"]).toEqual({ k2: 6 });
    expect(stdout).toContain("may be removed from ENCRYPTION_KEYS: k1");
  }, 60_000);
});
