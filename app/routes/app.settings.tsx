import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { authenticate } from "../shopify.server";
import { systemClock } from "../shared/clock";
import { loadSettingsPage } from "../admin/settings-page.server";
import { saveShopSettings } from "../admin/shop-settings.server";
import { requestTemplateSync, saveConnection, sendTestMessage } from "../admin/whatsapp-connection.server";
import { completeSignup } from "../admin/whatsapp-signup.server";
import { disconnectWhatsApp } from "../admin/whatsapp-disconnect.server";
import { ConnectedWhatsApp, ConnectWhatsApp, DisconnectedNotice } from "../components/whatsapp-signup";
import { formatDateTime } from "../components/money";
import { DataRequestsCard } from "../components/data-requests-card";
import { MetaLimits, MetaSendingFields } from "../components/meta-signals";
import { RouteError } from "../components/route-error";
import { en, fill } from "../i18n/admin";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadSettingsPage(session.shop);
};

type Intent = "settings" | "connection" | "test" | "sync" | "signup" | "disconnect";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await request.formData());
  const intent = String(form.intent ?? "") as Intent;
  const result =
    intent === "settings" ? await saveShopSettings(session.shop, form) :
    intent === "connection" ? await saveConnection(session.shop, form, systemClock.now()) :
    intent === "signup" ? await completeSignup(session.shop, form, systemClock.now()) :
    intent === "disconnect" ? await disconnectWhatsApp(session.shop, systemClock.now()) :
    intent === "sync" ? await requestTemplateSync(session.shop, systemClock.now()).then(() => ({ ok: true as const })) :
    intent === "test" ? await sendTestMessage(session.shop, form, systemClock.now()) :
    null;
  if (!result) return data({ intent, ok: false as const, errors: { form: "Unknown action" } as Record<string, string> }, { status: 400 });
  if (!result.ok) return data({ intent, ok: false as const, errors: result.errors }, { status: 422 });
  return { intent, ok: true as const, errors: {} as Record<string, string>, notUndone: "notUndone" in result ? result.notUndone : [] };
};

const t = en.settings;

export default function Settings() {
  const { settings, connection, signup, timezone, templates, retention, dataRequests } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = (intent: Intent) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const errorsFor = (intent: Intent) => (result && result.intent === intent && !result.ok ? result.errors : {});
  const savedFor = (intent: Intent) => Boolean(result && result.intent === intent && result.ok);

  return (
    <Page title={t.title}>
      <Layout>
        <Layout.AnnotatedSection title={t.whatsapp} description={connection ? undefined : t.notConnected}>
          <BlockStack gap="400">
            {savedFor("disconnect") && result && "notUndone" in result ? <DisconnectedNotice notUndone={result.notUndone ?? []} /> : null}
            {connection ? <ConnectedWhatsApp connection={connection} busy={busy("disconnect")} error={errorsFor("disconnect").form} /> : null}
            {!connection && signup ? <ConnectWhatsApp settings={signup} error={errorsFor("signup").form} /> : null}
            {!connection && signup ? <Text as="h3" variant="headingSm">{en.signup.manual}</Text> : null}
            {/* A number connected through Meta's sign-in is changed by disconnecting and connecting again. */}
            {connection?.connectedVia !== "signup" ? (
              <ConnectionForm key={connection?.phoneNumberId ?? "none"} connection={connection} errors={errorsFor("connection")} saved={savedFor("connection")} busy={busy("connection")} />
            ) : null}
            {connection ? (
              <Card>
                <Form method="post">
                  <input type="hidden" name="intent" value="sync" />
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">{t.templates}</Text>
                    <Text as="p" tone="subdued">{fill(t.templatesCount, { count: templates.length })}</Text>
                    <MetaLimits limit={settings.messagingLimit} readAt={settings.messagingLimitReadAt} timezone={timezone} qualityRating={connection.qualityRating} qualityEvent={connection.qualityEvent} />
                    {savedFor("sync") ? <Banner tone="info" title={t.syncRequested} /> : null}
                    <InlineStack align="end">
                      <Button submit loading={busy("sync")}>{t.sync}</Button>
                    </InlineStack>
                  </BlockStack>
                </Form>
              </Card>
            ) : null}
            {connection ? (
              <TestForm templates={templates} errors={errorsFor("test")} sent={savedFor("test")} busy={busy("test")}
                lastTest={connection.lastTestAt ? formatDateTime(connection.lastTestAt, timezone) : null} />
            ) : null}
          </BlockStack>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t.sending} description={fill(t.quietHoursHelp, { timezone })}>
          <RulesForm settings={settings} retention={retention} timezone={timezone} errors={errorsFor("settings")} saved={savedFor("settings")} busy={busy("settings")} />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={en.dataRequests.title} description={en.dataRequests.description}>
          <DataRequestsCard requests={dataRequests} timezone={timezone} />
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function ConnectionForm({ connection, errors, saved, busy }: { connection: LoaderData["connection"]; errors: Record<string, string>; saved: boolean; busy: boolean }) {
  const [phoneNumberId, setPhoneNumberId] = useState(connection?.phoneNumberId ?? "");
  const [businessAccountId, setBusinessAccountId] = useState(connection?.businessAccountId ?? "");
  const [displayPhoneNumber, setDisplayPhoneNumber] = useState(connection?.displayPhoneNumber ?? "");
  // Secrets start empty every time: the server never sends them back.
  const [accessToken, setAccessToken] = useState("");
  // Once saved, the typed secrets leave the page too; only "Saved" remains.
  useEffect(() => {
    if (!saved) return;
    setAccessToken("");
  }, [saved]);
  const secretHelp = (stored: boolean | undefined) => (stored ? t.secretStored : t.secretMissing);
  const status = connection?.status;
  return (
    <Card>
      <Form method="post" autoComplete="off">
        <input type="hidden" name="intent" value="connection" />
        <BlockStack gap="400">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">{t.whatsapp}</Text>
            {status === "healthy" ? <Badge tone="success">{t.connected}</Badge> : status === "token_invalid" ? <Badge tone="critical">{t.tokenInvalid}</Badge> : <Badge>{t.notConnected}</Badge>}
          </InlineStack>
          {saved ? <Banner tone="success" title={t.connectionSaved} /> : null}
          {errors.form ? <Banner tone="critical">{errors.form}</Banner> : null}
          <FormLayout>
            <FormLayout.Group>
              <TextField label={t.phoneNumberId} name="phoneNumberId" value={phoneNumberId} onChange={setPhoneNumberId} autoComplete="off" error={errors.phoneNumberId} />
              <TextField label={t.businessAccountId} name="businessAccountId" value={businessAccountId} onChange={setBusinessAccountId} autoComplete="off" error={errors.businessAccountId} />
            </FormLayout.Group>
            <TextField label={t.displayPhoneNumber} name="displayPhoneNumber" value={displayPhoneNumber} onChange={setDisplayPhoneNumber} autoComplete="off" error={errors.displayPhoneNumber} />
            <TextField label={t.accessToken} name="accessToken" type="password" value={accessToken} onChange={setAccessToken} autoComplete="new-password" helpText={secretHelp(connection?.hasAccessToken)} error={errors.accessToken} />
          </FormLayout>
          <InlineStack align="end">
            <Button submit variant="primary" loading={busy}>{t.connect}</Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

function TestForm({ templates, errors, sent, busy, lastTest }: { templates: LoaderData["templates"]; errors: Record<string, string>; sent: boolean; busy: boolean; lastTest: string | null }) {
  const [to, setTo] = useState("");
  const [template, setTemplate] = useState("");
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="test" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">{t.test}</Text>
          {lastTest ? <Text as="p" tone="subdued">{fill(t.lastTest, { at: lastTest })}</Text> : null}
          {sent ? <Banner tone="success" title={t.testSent} /> : null}
          {errors.form ? <Banner tone="critical">{errors.form}</Banner> : null}
          <FormLayout>
            <FormLayout.Group>
              <TextField label={t.testTo} name="to" type="tel" placeholder="+34612345678" value={to} onChange={setTo} autoComplete="tel" error={errors.to} />
              <Select label={t.testTemplate} name="template" value={template} onChange={setTemplate} error={errors.template}
                options={[{ label: en.flow.chooseTemplate, value: "" }, ...templates.map((tpl) => ({ label: `${tpl.name} (${tpl.language})`, value: `${tpl.name}|${tpl.language}` }))]} />
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end">
            <Button submit loading={busy}>{t.testSend}</Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

type RulesFormProps = {
  settings: LoaderData["settings"];
  retention: LoaderData["retention"];
  timezone: string;
  errors: Record<string, string>;
  saved: boolean;
  busy: boolean;
};

function RulesForm({ settings, retention, timezone, errors, saved, busy }: RulesFormProps) {
  const [quietHoursEnabled, setQuietHoursEnabled] = useState(settings.quietHoursEnabled);
  const [quietHoursStart, setQuietHoursStart] = useState(settings.quietHoursStart);
  const [quietHoursEnd, setQuietHoursEnd] = useState(settings.quietHoursEnd);
  const [capDay, setCapDay] = useState(String(settings.marketingCapPerDay));
  const [capWeek, setCapWeek] = useState(String(settings.marketingCapPerWeek));
  const [perMonth, setPerMonth] = useState(String(settings.campaignsPerMonth));
  const [allowed, setAllowed] = useState(settings.allowedCallingCodes);
  const [blocked, setBlocked] = useState(settings.blockedCallingCodes);
  const [attribution, setAttribution] = useState(String(settings.attributionWindowDays));
  const [doubleOptIn, setDoubleOptIn] = useState(settings.doubleOptIn);
  const [retentionDays, setRetentionDays] = useState(String(settings.dataRetentionDays));
  const [priority, setPriority] = useState<string[]>(settings.flowPriority);
  const move = (i: number, by: number) =>
    setPriority((list) => {
      const copy = [...list];
      const [item] = copy.splice(i, 1);
      copy.splice(i + by, 0, item);
      return copy;
    });
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="settings" />
        <input type="hidden" name="quietHoursEnabled" value={quietHoursEnabled ? "true" : "false"} />
        <input type="hidden" name="doubleOptIn" value={doubleOptIn ? "true" : "false"} />
        <input type="hidden" name="flowPriority" value={priority.join(",")} />
        <BlockStack gap="500">
          {saved ? <Banner tone="success" title={t.saved} /> : null}
          {Object.keys(errors).length && !saved ? <Banner tone="critical" title={en.flow.fixErrors} /> : null}
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">{t.quietHours}</Text>
            <Checkbox label={t.quietHoursEnabled} checked={quietHoursEnabled} onChange={setQuietHoursEnabled} />
            <FormLayout.Group>
              <TextField label={t.quietHoursStart} name="quietHoursStart" type="time" value={quietHoursStart} onChange={setQuietHoursStart} autoComplete="off" error={errors.quietHoursStart} disabled={!quietHoursEnabled} />
              <TextField label={t.quietHoursEnd} name="quietHoursEnd" type="time" value={quietHoursEnd} onChange={setQuietHoursEnd} autoComplete="off" error={errors.quietHoursEnd} disabled={!quietHoursEnabled} />
            </FormLayout.Group>
            {!quietHoursEnabled ? (
              <>
                <input type="hidden" name="quietHoursStart" value={quietHoursStart} />
                <input type="hidden" name="quietHoursEnd" value={quietHoursEnd} />
              </>
            ) : null}
          </BlockStack>
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">{t.caps}</Text>
            <FormLayout>
              <FormLayout.Group>
                <TextField label={t.capDay} name="marketingCapPerDay" type="number" value={capDay} onChange={setCapDay} autoComplete="off" error={errors.marketingCapPerDay} />
                <TextField label={t.capWeek} name="marketingCapPerWeek" type="number" value={capWeek} onChange={setCapWeek} autoComplete="off" error={errors.marketingCapPerWeek} />
              </FormLayout.Group>
              <TextField label={t.campaignsPerMonth} name="campaignsPerMonth" type="number" value={perMonth} onChange={setPerMonth} autoComplete="off" error={errors.campaignsPerMonth} />
            </FormLayout>
          </BlockStack>
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">{t.countries}</Text>
            <FormLayout>
              <TextField label={t.allowed} name="allowedCallingCodes" value={allowed} onChange={setAllowed} helpText={t.allowedHelp} autoComplete="off" error={errors.allowedCallingCodes} />
              <TextField label={t.blocked} name="blockedCallingCodes" value={blocked} onChange={setBlocked} autoComplete="off" error={errors.blockedCallingCodes} />
            </FormLayout>
            <MetaSendingFields blockUsMarketing={settings.blockUsMarketing} useMarketingMessagesApi={settings.useMarketingMessagesApi} />
          </BlockStack>
          <FormLayout>
            <TextField label={t.attribution} name="attributionWindowDays" type="number" value={attribution} onChange={setAttribution} helpText={t.attributionHelp} autoComplete="off" error={errors.attributionWindowDays} />
            <Checkbox label={t.doubleOptIn} checked={doubleOptIn} onChange={setDoubleOptIn} />
            <BlockStack gap="100">
              <TextField label={t.retention} name="dataRetentionDays" type="number" value={retentionDays} onChange={setRetentionDays} helpText={t.retentionHelp} autoComplete="off" error={errors.dataRetentionDays} />
              <RetentionStatus retention={retention} timezone={timezone} />
            </BlockStack>
          </FormLayout>
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">{t.priority}</Text>
            <Text as="p" tone="subdued">{t.priorityHelp}</Text>
            {errors.flowPriority ? <Text as="p" tone="critical">{errors.flowPriority}</Text> : null}
            <ol style={{ margin: 0, paddingLeft: 20 }}>
              {priority.map((flow, i) => (
                <li key={flow} style={{ padding: "4px 0" }}>
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="span">{en.flowNames[flow] ?? flow}</Text>
                    <InlineStack gap="100">
                      <Button size="slim" disabled={i === 0} onClick={() => move(i, -1)} accessibilityLabel={`${t.moveUp}: ${en.flowNames[flow]}`}>↑</Button>
                      <Button size="slim" disabled={i === priority.length - 1} onClick={() => move(i, 1)} accessibilityLabel={`${t.moveDown}: ${en.flowNames[flow]}`}>↓</Button>
                    </InlineStack>
                  </InlineStack>
                </li>
              ))}
            </ol>
          </BlockStack>
          <InlineStack align="end">
            <Button submit variant="primary" loading={busy}>{t.save}</Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

/** When the shop's retention last ran and what it deleted, or that it has not run yet. */
function RetentionStatus({ retention, timezone }: { retention: LoaderData["retention"]; timezone: string }) {
  if (!retention.appliedAt) return <Text as="p" tone="subdued">{t.retentionNotRun}</Text>;
  const n = (key: string) => retention.removed[key] ?? 0;
  return (
    <BlockStack gap="050">
      <Text as="p" tone="subdued">{fill(t.retentionLastApplied, { at: formatDateTime(retention.appliedAt, timezone) })}</Text>
      <Text as="p" tone="subdued">
        {fill(t.retentionRemoved, { messages: n("messages"), carts: n("carts"), checkouts: n("checkouts"), subscribers: n("subscribers"), orders: n("ordersAnonymised") })}
      </Text>
    </BlockStack>
  );
}

export function ErrorBoundary() {
  return <RouteError backUrl="/app" />;
}
