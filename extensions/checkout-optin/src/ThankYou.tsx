/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { numericId } from "./backend";
import { OptInForm } from "./OptInForm";

// purchase.thank-you.block.render: the order's phone prefilled, the order id kept as context.
export default async () => {
  render(<ThankYouOptIn />, document.body);
};

function ThankYouOptIn() {
  const phone = shopify.buyerIdentity?.phone.value ?? shopify.shippingAddress?.value?.phone ?? shopify.billingAddress?.value?.phone ?? "";
  return (
    <OptInForm
      source="thank_you"
      initialPhone={phone}
      country={shopify.localization.country.value?.isoCode ?? shopify.shippingAddress?.value?.countryCode}
      locale={shopify.localization.language.value.isoCode}
      checkoutToken={shopify.checkoutToken.value}
      orderId={numericId(shopify.orderConfirmation.value?.order.id)}
    />
  );
}
