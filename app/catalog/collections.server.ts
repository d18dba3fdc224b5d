import { z } from "zod";
import { idFromGid } from "../webhooks/shopify-fields";

/**
 * The shop's collections, read from the GraphQL Admin API (new public apps may not use REST).
 * Only the cross-sell flow needs them: the settings page lists them for the merchant to pick a
 * fallback, and the planning task reads the picked one's products. Neither runs on a webhook's
 * path. https://shopify.dev/docs/api/admin-graphql/latest/queries/collections
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/collection
 */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

/** How many collections the picker offers, sorted by title. */
export const COLLECTION_LIST_SIZE = 50;
/** How many of a collection's products the fallback looks through, in the collection's order. */
export const COLLECTION_PRODUCTS_PAGE = 50;

export const COLLECTIONS_QUERY = `#graphql
  query ReboundCollections($first: Int!) {
    collections(first: $first, sortKey: TITLE) {
      nodes { id title }
    }
  }`;

// COLLECTION_DEFAULT is the order the merchant set on the collection (manual, best selling, ...),
// the order shoppers see on the storefront.
export const COLLECTION_PRODUCTS_QUERY = `#graphql
  query ReboundCollectionProducts($id: ID!, $first: Int!) {
    collection(id: $id) {
      id
      products(first: $first, sortKey: COLLECTION_DEFAULT) {
        nodes { id }
      }
    }
  }`;

const graphqlErrors = z.array(z.object({ message: z.string() })).optional();

const collectionsAnswer = z.object({
  data: z.object({ collections: z.object({ nodes: z.array(z.object({ id: z.string(), title: z.string() })) }) }).nullish(),
  errors: graphqlErrors,
});

const collectionProductsAnswer = z.object({
  data: z
    .object({
      collection: z.object({ id: z.string(), products: z.object({ nodes: z.array(z.object({ id: z.string() })) }) }).nullable(),
    })
    .nullish(),
  errors: graphqlErrors,
});

export interface CollectionOption {
  /** Numeric id, as the flow config stores it */
  id: string;
  title: string;
}

export async function listCollections(admin: AdminGraphql): Promise<CollectionOption[]> {
  const response = await admin.graphql(COLLECTIONS_QUERY, { variables: { first: COLLECTION_LIST_SIZE } });
  const answer = collectionsAnswer.parse(await response.json());
  if (answer.errors?.length || !answer.data) throw new Error(`collections: ${answer.errors?.[0]?.message ?? "empty answer"}`);
  return answer.data.collections.nodes.map((c) => ({ id: idFromGid(c.id), title: c.title }));
}

/** Product ids of a collection in its own order; a deleted collection has none. */
export async function collectionProductIds(admin: AdminGraphql, collectionId: string): Promise<string[]> {
  const response = await admin.graphql(COLLECTION_PRODUCTS_QUERY, {
    variables: { id: `gid://shopify/Collection/${collectionId}`, first: COLLECTION_PRODUCTS_PAGE },
  });
  const answer = collectionProductsAnswer.parse(await response.json());
  if (answer.errors?.length || !answer.data) throw new Error(`collection: ${answer.errors?.[0]?.message ?? "empty answer"}`);
  return answer.data.collection?.products.nodes.map((p) => idFromGid(p.id)) ?? [];
}
