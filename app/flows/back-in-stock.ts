import type { StoredTemplateParams } from "../outbox/types";
import { MINUTE_MS, HOUR, addMs, productUrl, withUtm } from "./plan";
import type { BackInStockConfig } from "./settings";

/**
 * Back in stock: when a variant comes back, the shoppers waiting for it are told, first come
 * first served. The planner decides the shape of the fan-out (how many, when, which template and
 * link); back-in-stock.server.ts writes it as one set-based statement, because a popular item
 * can have 100,000 people waiting and a loop of inserts would take minutes.
 * Body parameters: {{1}} product title, {{2}} variant title.
 */
export interface RestockEvent {
  variantId: string;
  /** Units available after the restock */
  available: number;
  restockId: string;
}

export interface RestockCatalog {
  productTitle: string;
  variantTitle: string | null;
  handle: string | null;
  /** The variant as we know it now: it may have sold out again before this runs */
  currentlySellable: boolean;
}

export interface RestockFanOut {
  variantId: string;
  restockId: string;
  /** How many waiting requests to notify; null = all of them */
  limit: number | null;
  sendAt: Date;
  expiresAt: Date;
  templateName: string;
  templateLanguage: string;
  body: string[];
  destination: string;
  holdoutPercent: number;
}

export type RestockDecision = { fanOut: RestockFanOut } | { skip: string };

export function planRestock(input: {
  shop: string;
  event: RestockEvent;
  catalog: RestockCatalog | null;
  setting: { enabled: boolean; holdoutPercent: number; config: BackInStockConfig };
  now: Date;
}): RestockDecision {
  const { shop, event, catalog, setting, now } = input;
  if (!setting.enabled) return { skip: "flow_disabled" };
  if (!catalog) return { skip: "variant_unknown" };
  if (!catalog.currentlySellable) return { skip: "sold_out_again" };
  const limit = restockLimit(event.available, setting.config.messagesPerUnit);
  if (limit === 0) return { skip: "nothing_available" };
  const sendAt = addMs(now, setting.config.delayMinutes * MINUTE_MS);
  return {
    fanOut: {
      variantId: event.variantId,
      restockId: event.restockId,
      limit,
      sendAt,
      expiresAt: addMs(sendAt, setting.config.validHours * HOUR),
      templateName: setting.config.templateName,
      templateLanguage: setting.config.language,
      body: [catalog.productTitle, catalog.variantTitle && catalog.variantTitle !== "Default Title" ? catalog.variantTitle : catalog.productTitle],
      destination: withUtm(productUrl(shop, catalog.handle, event.variantId), "back_in_stock"),
      holdoutPercent: setting.holdoutPercent,
    },
  };
}

/**
 * k messages per unit now available (people drop off between the message and the checkout, so
 * a merchant may over-notify a little); null = notify everyone waiting.
 */
export function restockLimit(available: number, messagesPerUnit: number | null): number | null {
  if (messagesPerUnit === null) return null;
  return Math.max(0, Math.floor(available)) * messagesPerUnit;
}


/**
 * Every restock row's parameters: the body, and a URL button whose suffix is the row's derived
 * link token, minted when it is sent (docs/decisions/014-tracked-links-on-first-click.md).
 */
export function restockParams(body: string[]): StoredTemplateParams {
  return { body, buttons: [{ index: 0, type: "url", derivedLinkToken: true }] };
}
