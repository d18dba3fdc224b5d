/** Amounts arrive from loaders as decimal strings (Prisma Decimal); shown in the shop's currency. */
export function formatMoney(amount: string | number, currency: string, locale = "en"): string {
  const value = typeof amount === "number" ? amount : Number(amount);
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatPercent(ratio: number, locale = "en"): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** Times show in the shop's own zone, as everything else in the Shopify admin does. */
export function formatDateTime(iso: string, timeZone = "UTC", locale = "en"): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(iso));
  }
}
