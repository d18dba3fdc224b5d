import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { SkeletonBodyText, SkeletonPage } from "@shopify/polaris";
import { loadPauses } from "../admin/pauses.server";
import { PauseBanners } from "../components/pause-banners";
import { en } from "../i18n/admin";

export const links = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: polarisVizStyles },
];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { SHOPIFY_API_KEY, APP_BRIDGE_URL } = env();
  const pauses = await loadPauses(session.shop);
  return { apiKey: SHOPIFY_API_KEY, appBridgeUrl: APP_BRIDGE_URL ?? null, pauses };
};

export default function App() {
  const { apiKey, appBridgeUrl, pauses } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  // Moving to another page shows a skeleton; staying on one (filters, saves) keeps the page.
  const changingPage = navigation.state === "loading" && navigation.location.pathname !== globalThis.location?.pathname;
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} __APP_BRIDGE_URL={appBridgeUrl ?? undefined}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/flows">{en.nav.flows}</Link>
        <Link to="/app/campaigns">{en.nav.campaigns}</Link>
        <Link to="/app/templates">{en.nav.templates}</Link>
        <Link to="/app/messages">{en.nav.messages}</Link>
        <Link to="/app/subscribers">Subscribers</Link>
        <Link to="/app/demand">{en.nav.demand}</Link>
        <Link to="/app/settings">{en.nav.settings}</Link>
      </NavMenu>
      <PauseBanners banner={pauses.banner} flows={pauses.flows} />
      {changingPage ? (
        <SkeletonPage title={en.loading}>
          <SkeletonBodyText lines={8} />
        </SkeletonPage>
      ) : (
        <Outlet />
      )}
    </AppProvider>
  );
}

// Shopify's library throws Responses (redirects, 401 with reauth headers); keep their headers.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
