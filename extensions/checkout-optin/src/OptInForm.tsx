/** @jsxImportSource preact */
import type {} from "@shopify/ui-extensions/preact";
import { useState } from "preact/hooks";
import { sendOptIn, textVersion, type OptInRequest } from "./backend";

/**
 * The shared opt-in form. When checkout already knows the buyer's phone, the form only asks for
 * consent for that number (with a way to give another one); otherwise it asks for the number.
 * The checkbox starts unticked (WhatsApp needs an active opt-in naming WhatsApp and the business);
 * Shopify's own SMS consent components are not used because SMS marketing consent is not WhatsApp
 * consent. The extension never blocks checkout progress: a failure is shown, and the shopper
 * carries on.
 */
export interface OptInFormProps {
  source: OptInRequest["source"];
  /** The phone checkout already has for this buyer, when the app may read it */
  knownPhone?: string;
  country?: string;
  locale: string;
  checkoutToken?: string;
  orderId?: string;
}

type State = { kind: "idle" } | { kind: "sending" } | { kind: "done" } | { kind: "error"; code: string };

const FIELD_ERRORS = ["invalid_phone", "phone_required"];
const SHOWN_ERRORS = ["invalid_phone", "phone_required", "consent_required", "rate_limited", "network", "unavailable", "server"];

export function OptInForm(props: OptInFormProps) {
  const t = (key: string, options?: Record<string, string>) => shopify.i18n.translate(key, options) as string;
  const known = props.knownPhone?.trim() || undefined;
  const [otherNumber, setOtherNumber] = useState(false);
  const [phone, setPhone] = useState("");
  const [agreed, setAgreed] = useState(false);
  const [state, setState] = useState<State>({ kind: "idle" });
  const consentText = t("consent", { store: shopify.shop.name });
  // A number the shopper started typing stays, even if checkout learns the buyer's phone meanwhile.
  const askForPhone = !known || otherNumber || phone !== "";

  if (state.kind === "done") {
    return <s-banner tone="success">{t("accepted")}</s-banner>;
  }

  const submit = async () => {
    if (state.kind === "sending") return;
    const number = askForPhone ? phone.trim() : known!;
    if (!number) return setState({ kind: "error", code: "phone_required" });
    if (!agreed) return setState({ kind: "error", code: "consent_required" });
    setState({ kind: "sending" });
    try {
      const reply = await sendOptIn(
        {
          phone: number,
          country: props.country,
          source: props.source,
          consentText,
          textVersion: textVersion(consentText),
          locale: props.locale,
          checkoutToken: props.checkoutToken,
          orderId: props.orderId,
        },
        () => shopify.sessionToken.get(),
      );
      setState(reply.ok ? { kind: "done" } : { kind: "error", code: reply.code });
    } catch {
      setState({ kind: "error", code: "generic" });
    }
  };

  const code = state.kind === "error" ? state.code : undefined;
  const error = code ? t(`errors.${SHOWN_ERRORS.includes(code) ? code : "generic"}`) : undefined;
  const switchNumber = (other: boolean) => {
    setOtherNumber(other);
    setPhone("");
    if (state.kind === "error") setState({ kind: "idle" });
  };

  return (
    <s-stack gap="base">
      <s-heading>{t("heading")}</s-heading>
      {askForPhone ? (
        <s-phone-field
          label={t("phone_label")}
          value={phone}
          autocomplete="tel"
          error={code && FIELD_ERRORS.includes(code) ? error : undefined}
          onInput={(event: Event) => setPhone((event.currentTarget as HTMLInputElement).value)}
        />
      ) : (
        <s-text>{t("known_phone", { phone: known! })}</s-text>
      )}
      <s-checkbox
        label={consentText}
        checked={agreed}
        error={code === "consent_required" ? error : undefined}
        onChange={(event: Event) => setAgreed((event.currentTarget as HTMLInputElement).checked)}
      />
      {code && code !== "consent_required" && !(askForPhone && FIELD_ERRORS.includes(code)) ? (
        <s-banner tone="critical">{error}</s-banner>
      ) : null}
      <s-button variant="secondary" loading={state.kind === "sending"} onClick={submit}>
        {t("submit")}
      </s-button>
      {known ? (
        <s-link onClick={() => switchNumber(!otherNumber)}>{otherNumber ? t("use_known_phone", { phone: known }) : t("use_other_phone")}</s-link>
      ) : null}
    </s-stack>
  );
}
