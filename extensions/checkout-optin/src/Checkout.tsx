/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { OptInForm } from "./OptInForm";

// purchase.checkout.contact.render-after: under the contact details, phone from the buyer.
export default async () => {
  render(<CheckoutOptIn />, document.body);
};

function CheckoutOptIn() {
  const phone = shopify.buyerIdentity?.phone.value ?? shopify.shippingAddress?.value?.phone ?? "";
  return (
    <OptInForm
      source="checkout"
      initialPhone={phone}
      country={shopify.localization.country.value?.isoCode ?? shopify.shippingAddress?.value?.countryCode}
      locale={shopify.localization.language.value.isoCode}
      checkoutToken={shopify.checkoutToken.value}
    />
  );
}
