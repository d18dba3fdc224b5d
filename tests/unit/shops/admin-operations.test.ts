import { readFileSync } from "node:fs";
import path from "node:path";
import { getNamedType, getNullableType, TypeInfo, visit, visitWithTypeInfo } from "graphql";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../../app/env.server";
import { ADMIN_API_VERSION } from "../../../app/shops/api-version";
import {
  allows,
  checkOperation,
  effectiveScopes,
  loadAdminSchema,
  parseRequiredAccess,
  webhookTopicAccess,
  type AdminSchema,
} from "../../fakes/shopify/admin-schema";
import { readAppConfig, splitScopes, webhookTopics } from "../../fakes/shopify/app-config";
import { findAppGraphQL } from "../../support/app-graphql";

/**
 * Every Admin operation in app/ against Shopify's published schema of the pinned version, and
 * the app's access scopes against what its operations and webhook subscriptions need: an
 * invalid operation, or one that needs a scope shopify.app.toml does not ask for, fails here
 * rather than on a merchant's store.
 */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
const config = readAppConfig();
const granted = effectiveScopes(config.scopes);
const found = findAppGraphQL();
const admin = loadAdminSchema(ADMIN_API_VERSION);

/** Scopes asked for ahead of the code that uses them, and why; each must be needed by what it names. */
const AHEAD_OF_USE: Record<string, { mutation: string; topic: string }> = {
  // WhatsApp consent sync to the Shopify customer lands in a parallel change.
  write_customers: { mutation: "customerWhatsAppMarketingConsentUpdate", topic: "customers/update" },
};

/** Each field's requiredAccess prose (field and returned type) in an operation. */
function requirements(schema: AdminSchema, text: string): string[] {
  const checked = checkOperation(schema, text, { granted: null });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const typeInfo = new TypeInfo(schema.schema);
  const prose: string[] = [];
  visit(
    checked.document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const type = typeInfo.getType();
        if (!parent || !type) return;
        for (const p of [schema.fieldAccess.get(`${parent.name}.${node.name.value}`), schema.typeAccess.get(getNamedType(getNullableType(type)).name)]) {
          if (p) prose.push(p);
        }
      },
    }),
  );
  return prose;
}

describe("the app's Admin GraphQL operations", () => {
  it("are all found: every #graphql literal, every .graphql() call", () => {
    const names = found.documents.map((d) => /\b(?:query|mutation)\s+(\w+)/.exec(d.text)?.[1]);
    for (const expected of ["ReboundShop", "ReboundInventoryItem", "ReboundCollections", "ReboundCollectionProducts", "ReboundDiscountCodeCreate"]) {
      expect(names).toContain(expected);
    }
    // Every marker in the source is a document the finder read (none hides in a form it skips).
    expect(found.documents.length, "each `#graphql` in app/ starts a template literal the finder read").toBe(found.markers);
    expect(found.calls.length).toBeGreaterThanOrEqual(found.documents.length);
    const constants = new Set(found.documents.map((d) => d.constant).filter(Boolean));
    for (const call of found.calls) {
      const where = `${call.file}:${call.line}`;
      if (call.argument.kind === "other") throw new Error(`${where} passes a document the test cannot read: ${call.argument.text}`);
      if (call.argument.kind === "constant") expect(constants, where).toContain(call.argument.name);
    }
  });

  it.each(found.documents.map((d) => [`${d.file}:${d.line}`, d] as const))("%s is valid on Shopify's published schema", (_where, document) => {
    expect(document.hasSubstitutions, "documents are fixed text, so they can be checked here").toBe(false);
    const checked = checkOperation(admin, document.text, { granted: null });
    expect(checked.ok ? [] : checked.errors).toEqual([]);
    if (checked.ok) expect(checked.operationName, "operations are named (the fake answers by name)").toMatch(/^Rebound/);
  });

  it.each(found.documents.map((d) => [`${d.file}:${d.line}`, d] as const))("%s needs no scope shopify.app.toml does not ask for", (_where, document) => {
    const checked = checkOperation(admin, document.text, { granted });
    expect(checked.ok && checked.denied.map((d) => `${d.path.join(".")}: ${d.requiredAccess}`)).toEqual([]);
  });
});

describe("the app's access scopes", () => {
  it("are the same in shopify.app.toml, the SCOPES default, the README and the sandbox", () => {
    const asSet = (list: string[]) => [...new Set(list)].sort();
    const toml = asSet(config.scopes);
    expect(toml.length).toBeGreaterThan(0);
    expect(asSet(splitScopes(parseEnv({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://a.example" }).SCOPES))).toEqual(toml);
    const readme = /\|\s*`SCOPES`\s*\|[^|]*\|\s*`([^`]+)`/.exec(readFileSync(path.join(ROOT, "README.md"), "utf8"))?.[1];
    expect(asSet(splitScopes(readme ?? ""))).toEqual(toml);
    // The sandbox installs with SCOPES from the environment; any scope list written into it must agree.
    for (const file of ["sandbox/scenario.ts", "sandbox/fakes.ts", "sandbox/services.ts", "sandbox/demo.ts"]) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      for (const list of text.matchAll(/"((?:read|write)_[a-z_]+(?:,(?:read|write)_[a-z_]+)*)"/g)) {
        expect(asSet(splitScopes(list[1])), file).toEqual(toml);
      }
    }
  });

  it("pin the same API version as the app", () => {
    expect(config.webhooksApiVersion).toBe(ADMIN_API_VERSION);
  });

  it("cover every subscribed webhook topic", () => {
    const topics = webhookTopics();
    expect(topics).toContain("carts/update");
    for (const topic of topics) {
      const access = webhookTopicAccess(admin, topic);
      expect(access === null || access.some((all) => all.every((s) => granted.has(s))), topic).toBe(true);
    }
  });

  it("ask for nothing the operations, webhooks and named work in progress do not need", () => {
    const needs: string[][][] = [];
    for (const document of found.documents) needs.push(...requirements(admin, document.text).map((p) => parseRequiredAccess(p) ?? []));
    for (const topic of webhookTopics()) needs.push(webhookTopicAccess(admin, topic) ?? []);
    for (const [scope, use] of Object.entries(AHEAD_OF_USE)) {
      const mutation = admin.fieldAccess.get(`Mutation.${use.mutation}`);
      expect(mutation && allows(mutation, effectiveScopes([scope])), `${scope} covers ${use.mutation}`).toBe(true);
      const topic = webhookTopicAccess(admin, use.topic);
      expect(topic?.some((all) => all.every((s) => effectiveScopes([scope]).has(s))), `${scope} covers ${use.topic}`).toBe(true);
    }
    const satisfied = (scopes: string[]) => {
      const effective = effectiveScopes(scopes);
      return needs.every((alternatives) => alternatives.length === 0 || alternatives.some((all) => all.every((s) => effective.has(s))));
    };
    expect(satisfied(config.scopes)).toBe(true);
    const unneeded = config.scopes.filter((scope) => !(scope in AHEAD_OF_USE) && satisfied(config.scopes.filter((s) => s !== scope)));
    expect(unneeded).toEqual([]);
  });
});

describe("Shopify's requiredAccess prose", () => {
  it.each([
    ["`read_locales` access scope or `read_markets_home` access scope.", [["read_locales"], ["read_markets_home"]]],
    ["`write_customers` access scope. Also: The user must have permission to create and edit customers.", [["write_customers"]]],
    ["`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations.", [["read_markets", "write_markets"]]],
    ["`read_returns` access scope and (`read_orders` access scope or `read_marketplace_orders` access scope).", [["read_returns", "read_orders"], ["read_returns", "read_marketplace_orders"]]],
    ["This mutation can only be run on the current app.", null],
  ])("reads %s", (prose, expected) => {
    expect(parseRequiredAccess(prose)).toEqual(expected);
  });

  it("counts write_X as read_X, as Shopify does", () => {
    expect(allows("Apps must have `read_discounts` access scope.", effectiveScopes(["write_discounts"]))).toBe(true);
    expect(allows("`write_discounts` access scope.", effectiveScopes(["read_discounts"]))).toBe(false);
  });
});
