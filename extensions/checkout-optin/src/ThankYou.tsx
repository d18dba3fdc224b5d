/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { numericId, readOptional } from "./backend";
import { OptInForm } from "./OptInForm";

// purchase.thank-you.block.render: placed by the merchant in the checkout editor; thank-you page
// extensions run on every plan but Starter. The order's phone is offered, the order id kept as
// context.
export default async () => {
  render(<ThankYouOptIn />, document.body);
};

function ThankYouOptIn() {
  const phone =
    readOptional(() => shopify.buyerIdentity?.phone.value) ??
    readOptional(() => shopify.shippingAddress?.value?.phone) ??
    readOptional(() => shopify.billingAddress?.value?.phone) ??
    undefined;
  return (
    <OptInForm
      source="thank_you"
      knownPhone={phone}
      country={readOptional(() => shopify.shippingAddress?.value?.countryCode) ?? readOptional(() => shopify.localization.country.value?.isoCode)}
      locale={shopify.localization.language.value.isoCode}
      checkoutToken={readOptional(() => shopify.checkoutToken.value)}
      orderId={numericId(readOptional(() => shopify.orderConfirmation.value?.order.id))}
    />
  );
}
