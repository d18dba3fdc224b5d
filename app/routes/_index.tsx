import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { login } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { showForm: Boolean(login) };
};

export default function Landing() {
  const { showForm } = useLoaderData<typeof loader>();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "64px auto", padding: 16 }}>
      <h1>Rebound</h1>
      <p>Win shoppers back on WhatsApp: cart reminders, back-in-stock alerts, reorder nudges and offers, sent only to people who asked.</p>
      {showForm && (
        <Form method="post" action="/auth/login">
          <label>
            Shop domain
            <input type="text" name="shop" placeholder="my-shop.myshopify.com" style={{ display: "block", margin: "8px 0" }} />
          </label>
          <button type="submit">Log in</button>
        </Form>
      )}
    </main>
  );
}
