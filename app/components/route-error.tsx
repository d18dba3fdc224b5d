import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { en } from "../i18n/admin";

/**
 * The error state of every admin page: a 404 reads "not found" with a way back; anything else a
 * short apology. Shopify's own thrown responses (re-authentication) go to its boundary, which
 * knows how to hand them to App Bridge.
 */
export function RouteError({ backUrl, notFound }: { backUrl: string; notFound?: string }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page backAction={{ url: backUrl }} title={en.errors.notFoundTitle}>
        <Card>
          <BlockStack gap="300" inlineAlign="start">
            <Text as="p">{notFound ?? en.errors.notFoundTitle}</Text>
            <Button url={backUrl}>{en.errors.back}</Button>
          </BlockStack>
        </Card>
      </Page>
    );
  }
  if (isRouteErrorResponse(error) && (error.status === 401 || error.status === 302)) {
    return boundary.error(error);
  }
  return (
    <Page title={en.errors.title}>
      <Banner tone="critical" title={en.errors.title}>
        <BlockStack gap="200">
          <Text as="p">{en.errors.body}</Text>
        </BlockStack>
      </Banner>
    </Page>
  );
}
