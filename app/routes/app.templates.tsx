import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Divider, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { loadTemplatesPage, runTemplatesAction } from "../admin/template-library.server";
import { LibraryTemplateRow } from "../components/library-template-row";
import { RouteError } from "../components/route-error";
import { en, fill } from "../i18n/admin";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadTemplatesPage(session.shop, new URL(request.url).searchParams.get("language"));
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await request.formData());
  const result = await runTemplatesAction(session.shop, form, systemClock.now());
  const target = { intent: String(form.intent ?? ""), name: String(form.name ?? ""), language: String(form.language ?? "") };
  if (!result.ok) return data({ ...result, target }, { status: result.status });
  return { ...result, target };
};

const t = en.templates;

export default function Templates() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const busy = navigation.state === "submitting";
  const flows = [...new Set(page.rows.map((r) => r.flow))];
  const languageNames = page.defaults.map((l) => t.languages[l] ?? l).join(" + ");
  const failed = result && !result.ok ? result : null;
  return (
    <Page title={t.title} subtitle={t.subtitle}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.ok ? <Banner tone="success" title={result.status === "QUEUED" ? t.queued : t.done} /> : null}
            {failed && !failed.fieldErrors ? <Banner tone="critical" title={failed.error} /> : null}
            {!page.connected ? <Banner tone="warning" title={t.notConnected} /> : null}
            {page.running ? <Banner tone="info" title={fill(t.submitting, page.progress)} /> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="p">{t.intro}</Text>
                <InlineStack gap="300" blockAlign="end" align="space-between">
                  <Form method="post">
                    <input type="hidden" name="intent" value="submit_all" />
                    <input type="hidden" name="languages" value={page.defaults.join(",")} />
                    <BlockStack gap="100">
                      <Button submit variant="primary" loading={busy || page.running} disabled={!page.connected}>
                        {fill(t.submitAll, { languages: languageNames })}
                      </Button>
                      <Text as="p" tone="subdued" variant="bodySm">{t.submitAllHelp}</Text>
                    </BlockStack>
                  </Form>
                  <Select label={t.show} name="language" value={page.language} onChange={(value) => navigate(`?language=${value}`)}
                    options={page.languages.map((l) => ({ label: t.languages[l] ?? l, value: l }))} />
                </InlineStack>
              </BlockStack>
            </Card>
            {flows.map((flow) => (
              <Card key={flow}>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{en.flowNames[flow] ?? flow}</Text>
                  {page.rows.filter((r) => r.flow === flow).map((row, i) => {
                    const mine = failed?.target.name === row.name && failed.target.language === row.language;
                    return (
                      <BlockStack key={row.name} gap="300">
                        {i > 0 ? <Divider /> : null}
                        <LibraryTemplateRow row={row} busy={busy && navigation.formData?.get("name") === row.name}
                          errors={mine && failed.fieldErrors ? failed.fieldErrors : null} />
                      </BlockStack>
                    );
                  })}
                </BlockStack>
              </Card>
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app" />;
}
