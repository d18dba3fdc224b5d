/**
 * JSON bodies from Shopify, read without losing an id. Shopify ids are 64-bit integers and its
 * payloads carry them as JSON numbers; its own published examples hold ids such as
 * 704912205188288575, above 2^53, which a plain JSON.parse rounds to 704912205188288600.
 * https://shopify.dev/docs/api/usage/ids (IDs are 64-bit), https://shopify.dev/docs/api/webhooks
 *
 * Node 22's JSON.parse hands a reviver the literal text of each primitive (`context.source`,
 * the TC39 "JSON.parse source text access" proposal): an integer outside the safe range becomes
 * its exact decimal string, every other value stays what JSON.parse makes of it.
 */
type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const INTEGER_LITERAL = /^-?\d+$/;

const keepUnsafeIntegers: Reviver = (_key, value, context) => {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined) throw new LosslessJsonUnavailable();
  return INTEGER_LITERAL.test(source) ? source : value;
};

/** The runtime cannot give a reviver the source text: ids above 2^53 would be rounded. */
export class LosslessJsonUnavailable extends Error {
  constructor() {
    super(
      `JSON.parse on this runtime (Node ${process.versions.node}) does not pass the source text to a reviver, ` +
        "so Shopify ids above 2^53 would be rounded. Run Rebound on Node 22 or newer.",
    );
    this.name = "LosslessJsonUnavailable";
  }
}

/**
 * A run of 16 digits: the shortest an unsafe integer can be (2^53 + 1 = 9007199254740993). A body
 * without one holds no integer JSON.parse could round, and skips the reviver's cost per value.
 */
const MAYBE_UNSAFE = /\d{16}/;

/** Parses a Shopify body; integers beyond Number.MAX_SAFE_INTEGER come back as exact strings. */
export function parseShopifyJson(text: string): unknown {
  if (!MAYBE_UNSAFE.test(text)) return JSON.parse(text);
  return JSON.parse(text, keepUnsafeIntegers as Parameters<typeof JSON.parse>[1]);
}

/** Throws at start-up, rather than rounding ids later, when the runtime lacks the source text. */
export function assertLosslessJson(): void {
  const probe = parseShopifyJson('{"id":704912205188288575}') as { id: unknown };
  if (probe.id !== "704912205188288575") throw new LosslessJsonUnavailable();
}
