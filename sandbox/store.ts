/**
 * The sandbox's demo store: a small coffee-and-kitchen shop with a catalogue (some variants sold
 * out), customers with order history, and the shoppers who will visit during the week. Figures
 * here are the store's inputs; everything the demo reports is counted from the database.
 */
export const DEMO_SHOP = "rebound-demo.myshopify.com";
export const DEMO_SHOP_NAME = "Dune Coffee Co.";
export const DEMO_TIMEZONE = "Europe/Madrid";
export const DEMO_CURRENCY = "EUR";

export interface DemoVariant {
  id: number;
  title: string;
  sku: string;
  price: string;
  inventoryItemId: number;
  available: number;
}

export interface DemoProduct {
  id: number;
  title: string;
  handle: string;
  image: string;
  /** Days between purchases the merchant set (null = learned or default) */
  replenishmentDays: number | null;
  variants: DemoVariant[];
}

let nextId = 8_100_000_000_000;
const id = () => nextId++;

function product(title: string, handle: string, replenishmentDays: number | null, variants: Array<[string, string, number]>): DemoProduct {
  return {
    id: id(),
    title,
    handle,
    image: `https://cdn.example/${handle}.jpg`,
    replenishmentDays,
    variants: variants.map(([vTitle, price, available]) => ({
      id: id(),
      title: vTitle,
      sku: `${handle}-${vTitle}`.toUpperCase().replace(/[^A-Z0-9]+/g, "-"),
      price,
      inventoryItemId: id(),
      available,
    })),
  };
}

export const CATALOGUE: DemoProduct[] = [
  product("Ethiopia Guji beans", "ethiopia-guji", 5, [["250 g", "14.00", 40], ["1 kg", "48.00", 0]]),
  product("Colombia Huila beans", "colombia-huila", null, [["250 g", "13.00", 25], ["1 kg", "45.00", 12]]),
  product("Ceramic pour-over dripper", "pour-over-dripper", null, [["White", "29.00", 0], ["Black", "29.00", 8]]),
  product("Paper filters (100)", "paper-filters", 6, [["Size 02", "6.50", 120]]),
  product("Burr grinder", "burr-grinder", null, [["Standard", "119.00", 5]]),
  product("Barista class", "barista-class", null, [["Saturday morning", "55.00", 10]]),
];

/** A collection the merchant picked as the cross-sell's fallback, in its manual order. */
export const DEMO_COLLECTION = {
  id: "4100000000001",
  title: "Brewing gear",
  handle: "brewing-gear",
  handles: ["pour-over-dripper", "burr-grinder", "paper-filters"],
};

export interface DemoShopper {
  name: string;
  phone: string;
  email: string;
  customerId: number;
  locale: string;
}

const shopperNames = [
  ["Lucía", "+34612345601", "es"], ["Marco", "+34612345602", "es"], ["Ana", "+351912345603", "pt-PT"],
  ["João", "+5511912345604", "pt-BR"], ["Sofía", "+34612345605", "es"], ["Budi", "+6281234567806", "id"],
  ["Lena", "+4915112345607", "de"], ["Pablo", "+34612345608", "es"], ["Clara", "+34612345609", "es"],
  ["Tomás", "+34612345610", "es"], ["Irene", "+34612345611", "es"], ["Hugo", "+33612345612", "fr"],
  ["Emma", "+4915112345613", "de"], ["Dewi", "+6281234567814", "id"], ["Carmen", "+34612345615", "es"],
  ["Diego", "+34612345616", "es"], ["Noah", "+12025550117", "en"], ["Olivia", "+447911123456", "en"],
] as const;

export const SHOPPERS: DemoShopper[] = shopperNames.map(([name, phone, locale], index) => ({
  name,
  phone,
  email: `${name.normalize("NFD").replace(/[^a-zA-Z]/g, "").toLowerCase()}@example.com`,
  customerId: 7_200_000_000_000 + index,
  locale,
}));
