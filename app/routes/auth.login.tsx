import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { login } from "../shopify.server";

const problem = (errors: { shop?: string }) =>
  errors.shop === "MISSING_SHOP"
    ? "Enter your shop domain"
    : errors.shop === "INVALID_SHOP"
      ? "That is not a myshopify.com domain"
      : undefined;

export const loader = async ({ request }: LoaderFunctionArgs) => ({ error: problem(await login(request)) });
export const action = async ({ request }: ActionFunctionArgs) => ({ error: problem(await login(request)) });

export default function Login() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const error = acted?.error ?? loaded.error;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "64px auto", padding: 16 }}>
      <h1>Log in to Rebound</h1>
      <Form method="post">
        <label>
          Shop domain
          <input type="text" name="shop" autoComplete="on" style={{ display: "block", margin: "8px 0" }} />
        </label>
        {error && <p role="alert">{error}</p>}
        <button type="submit">Log in</button>
      </Form>
    </main>
  );
}
