/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { readOptional } from "./backend";
import { OptInForm } from "./OptInForm";

// purchase.checkout.contact.render-after: a static target of the information step, so it renders
// only on Shopify Plus stores (https://shopify.dev/docs/api/checkout-ui-extensions/2026-07-rc).
export default async () => {
  render(<CheckoutOptIn />, document.body);
};

function CheckoutOptIn() {
  // A local-format phone is read with the shipping country, the likeliest country of the number.
  // Reading .value in render subscribes (ui-extensions/preact wires Preact signals in), so a
  // phone the buyer types into the contact form after this renders shows up here too.
  const phone =
    readOptional(() => shopify.buyerIdentity?.phone.value) ??
    readOptional(() => shopify.shippingAddress?.value?.phone) ??
    undefined;
  return (
    <OptInForm
      source="checkout"
      knownPhone={phone}
      country={readOptional(() => shopify.shippingAddress?.value?.countryCode) ?? readOptional(() => shopify.localization.country.value?.isoCode)}
      locale={shopify.localization.language.value.isoCode}
      checkoutToken={readOptional(() => shopify.checkoutToken.value)}
    />
  );
}
