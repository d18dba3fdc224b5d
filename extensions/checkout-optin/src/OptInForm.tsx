/** @jsxImportSource preact */
import type {} from "@shopify/ui-extensions/preact";
import { useState } from "preact/hooks";
import { sendOptIn, textVersion, type OptInRequest } from "./backend";

/**
 * The shared opt-in form. The checkbox starts unticked (WhatsApp needs an active opt-in naming
 * WhatsApp and the business); Shopify's own SMS consent components are not used because SMS
 * marketing consent is not WhatsApp consent.
 */
export interface OptInFormProps {
  source: OptInRequest["source"];
  initialPhone: string;
  country?: string;
  locale: string;
  checkoutToken?: string;
  orderId?: string;
}

type State = { kind: "idle" } | { kind: "sending" } | { kind: "done"; status: "pending" | "subscribed" } | { kind: "error"; code: string };

export function OptInForm(props: OptInFormProps) {
  const t = (key: string, options?: Record<string, string>) => shopify.i18n.translate(key, options) as string;
  const [phone, setPhone] = useState(props.initialPhone);
  const [agreed, setAgreed] = useState(false);
  const [state, setState] = useState<State>({ kind: "idle" });
  const consentText = t("consent", { store: shopify.shop.name });

  if (state.kind === "done") {
    return <s-banner tone="success">{t(state.status === "subscribed" ? "subscribed" : "pending")}</s-banner>;
  }

  const submit = async () => {
    if (!phone.trim()) return setState({ kind: "error", code: "phone_required" });
    if (!agreed) return setState({ kind: "error", code: "consent_required" });
    setState({ kind: "sending" });
    const token = await shopify.sessionToken.get();
    const reply = await sendOptIn(
      {
        phone: phone.trim(),
        country: props.country,
        source: props.source,
        consentText,
        textVersion: textVersion(consentText),
        locale: props.locale,
        checkoutToken: props.checkoutToken,
        orderId: props.orderId,
      },
      token,
    );
    setState(reply.ok ? { kind: "done", status: reply.status } : { kind: "error", code: reply.code });
  };

  const error = state.kind === "error" ? t(`errors.${["invalid_phone", "rate_limited", "network", "phone_required", "consent_required"].includes(state.code) ? state.code : "generic"}`) : undefined;

  return (
    <s-stack gap="base">
      <s-heading>{t("heading")}</s-heading>
      <s-phone-field
        label={t("phone_label")}
        value={phone}
        autocomplete="tel"
        error={state.kind === "error" && (state.code === "invalid_phone" || state.code === "phone_required") ? error : undefined}
        onInput={(event: Event) => setPhone((event.currentTarget as HTMLInputElement).value)}
      />
      <s-checkbox
        label={consentText}
        checked={agreed}
        error={state.kind === "error" && state.code === "consent_required" ? error : undefined}
        onChange={(event: Event) => setAgreed((event.currentTarget as HTMLInputElement).checked)}
      />
      {state.kind === "error" && !["invalid_phone", "phone_required", "consent_required"].includes(state.code) ? (
        <s-banner tone="critical">{error}</s-banner>
      ) : null}
      <s-button variant="secondary" loading={state.kind === "sending"} onClick={submit}>
        {t("submit")}
      </s-button>
    </s-stack>
  );
}
