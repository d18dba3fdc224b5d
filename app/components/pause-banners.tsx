import { Banner, BlockStack } from "@shopify/polaris";
import { en, fill } from "../i18n/admin";

interface ShopBannerView {
  reason: string;
  tone: "critical" | "warning";
  until: string | null;
  detail: string | null;
}

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "";

/** Shown above every admin page: the one thing holding or endangering the shop's sending, then paused flows. */
export function PauseBanners({ banner, flows }: { banner: ShopBannerView | null; flows: Array<{ flow: string; reason: string }> }) {
  if (!banner && flows.length === 0) return null;
  const explain = (reason: string) => en.pauses.reasons[reason] ?? fill(en.pauses.unknown, { reason });
  return (
    <div style={{ maxWidth: 998, margin: "16px auto 0", padding: "0 16px" }}>
      <BlockStack gap="200">
        {banner ? (
          <Banner
            tone={banner.tone}
            title={banner.tone === "critical" ? en.pauses.shopTitle : en.pauses.warningTitle}
            action={{ content: en.pauses.fix, url: "/app/settings" }}
          >
            <p>{fill(explain(banner.reason), { detail: banner.detail ?? "" })}</p>
            {banner.until ? <p>{fill(en.pauses.until, { at: when(banner.until) })}</p> : null}
          </Banner>
        ) : null}
        {flows.map((f) => (
          <Banner
            key={f.flow}
            tone="warning"
            title={fill(en.pauses.flowTitle, { flow: en.flowNames[f.flow] ?? f.flow })}
            action={{ content: en.pauses.fix, url: `/app/flows/${f.flow}` }}
          >
            <p>{explain(f.reason)}</p>
          </Banner>
        ))}
      </BlockStack>
    </div>
  );
}
