import { Banner, BlockStack } from "@shopify/polaris";
import { en, fill } from "../i18n/admin";

/** Shown above every admin page while the shop or one of its flows cannot send. */
export function PauseBanners({ shopReason, flows }: { shopReason: string | null; flows: Array<{ flow: string; reason: string }> }) {
  if (!shopReason && flows.length === 0) return null;
  const explain = (reason: string) => en.pauses.reasons[reason] ?? fill(en.pauses.unknown, { reason });
  return (
    <div style={{ maxWidth: 998, margin: "16px auto 0", padding: "0 16px" }}>
      <BlockStack gap="200">
        {shopReason ? (
          <Banner tone="critical" title={en.pauses.shopTitle} action={{ content: en.pauses.fix, url: "/app/settings" }}>
            <p>{explain(shopReason)}</p>
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
