import { Form, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Modal, Text } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState } from "react";
import { en } from "../i18n/admin";

/**
 * "Connect WhatsApp" through Meta's Embedded Signup (v4), ADR 031. The Facebook JS SDK opens
 * Meta's popup; the popup posts session-info messages (WA_EMBEDDED_SIGNUP) to this window, and
 * FB.login's callback gets a code. With both, the page posts the code and the ids to the
 * settings action, which does every Graph call on the server. Nothing secret is in this file.
 * https://developers.facebook.com/docs/whatsapp/embedded-signup/implementation
 */
export interface SignupSettings {
  appId: string;
  configId: string;
  graphVersion: string;
  sdkUrl: string;
  origins: string[];
}

interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents?: boolean; xfbml?: boolean; version: string }): void;
  login(callback: (response: { authResponse?: { code?: string } | null; status?: string }) => void, options: Record<string, unknown>): void;
}

declare global {
  interface Window {
    FB?: FacebookSdk;
  }
}

/** The session-info message of Embedded Signup (sessionInfoVersion 3). */
interface SessionInfo {
  type: "WA_EMBEDDED_SIGNUP";
  event: "FINISH" | "FINISH_ONLY_WABA" | "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING" | "CANCEL" | "ERROR";
  data?: { phone_number_id?: string; waba_id?: string; current_step?: string; error_message?: string };
}

type Phase = "loading" | "ready" | "open" | "sending" | "cancelled" | "failed" | "only_waba" | "sdk_failed";

const t = en.signup;

function readSessionInfo(raw: unknown): SessionInfo | null {
  let data = raw;
  if (typeof raw === "string") {
    try {
      data = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  const info = data as SessionInfo | null;
  return info && typeof info === "object" && info.type === "WA_EMBEDDED_SIGNUP" ? info : null;
}

let sdk: Promise<FacebookSdk | null> | undefined;

/**
 * Loads the SDK once per page, however often the effect runs: a second copy of the script would
 * replace window.FB with one that was never initialised. Resolves with null when it cannot load.
 */
function loadSdk(url: string): Promise<FacebookSdk | null> {
  if (window.FB) return Promise.resolve(window.FB);
  sdk ??= new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.crossOrigin = "anonymous";
    script.onload = () => resolve(window.FB ?? null);
    script.onerror = () => {
      sdk = undefined;
      resolve(null);
    };
    document.body.appendChild(script);
  });
  return sdk;
}

export function ConnectWhatsApp({ settings, error }: { settings: SignupSettings; error?: string }) {
  const submit = useSubmit();
  const [phase, setPhase] = useState<Phase>("loading");
  const code = useRef<string | null>(null);
  const session = useRef<{ phoneNumberId: string; businessAccountId: string } | null>(null);

  const finish = useCallback(() => {
    if (!code.current || !session.current) return;
    setPhase("sending");
    submit({ intent: "signup", code: code.current, ...session.current }, { method: "post" });
    code.current = null;
    session.current = null;
  }, [submit]);

  useEffect(() => {
    let live = true;
    void loadSdk(settings.sdkUrl).then((fb) => {
      if (!live) return;
      if (!fb) return setPhase("sdk_failed");
      fb.init({ appId: settings.appId, autoLogAppEvents: true, xfbml: true, version: settings.graphVersion });
      setPhase("ready");
    });
    const onMessage = (event: MessageEvent) => {
      if (!settings.origins.includes(event.origin)) return;
      const info = readSessionInfo(event.data);
      if (!info) return;
      if (info.event === "FINISH" && info.data?.phone_number_id && info.data.waba_id) {
        session.current = { phoneNumberId: info.data.phone_number_id, businessAccountId: info.data.waba_id };
        finish();
      } else if (info.event === "FINISH_ONLY_WABA") setPhase("only_waba");
      else if (info.event === "CANCEL") setPhase("cancelled");
      else if (info.event === "ERROR") setPhase("failed");
    };
    window.addEventListener("message", onMessage);
    return () => {
      live = false;
      window.removeEventListener("message", onMessage);
    };
  }, [settings, finish]);

  const start = () => {
    const fb = window.FB;
    if (!fb) return setPhase("sdk_failed");
    code.current = null;
    session.current = null;
    setPhase("open");
    // Called from the click itself, so the browser lets the popup open.
    fb.login(
      (response) => {
        const given = response.authResponse?.code;
        if (!given) return setPhase((p) => (p === "open" ? "cancelled" : p));
        code.current = given;
        finish();
      },
      {
        config_id: settings.configId,
        response_type: "code",
        override_default_response_type: true,
        extras: { setup: {}, sessionInfoVersion: "3" },
      },
    );
  };

  const note: Partial<Record<Phase, { tone: "info" | "warning" | "critical"; text: string }>> = {
    open: { tone: "info", text: t.opening },
    sending: { tone: "info", text: t.connecting },
    cancelled: { tone: "warning", text: t.cancelled },
    failed: { tone: "critical", text: t.failed },
    only_waba: { tone: "warning", text: t.onlyAccount },
    sdk_failed: { tone: "critical", text: t.sdkFailed },
  };
  const shown = error && phase === "sending" ? { tone: "critical" as const, text: error } : note[phase];
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t.connect}</Text>
        <Text as="p" tone="subdued">{t.intro}</Text>
        {shown ? <Banner tone={shown.tone}>{shown.text}</Banner> : null}
        <InlineStack align="end">
          <Button variant="primary" onClick={start} disabled={phase === "loading" || phase === "sdk_failed"} loading={phase === "sending" && !error}>
            {t.connect}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

/** Disconnect, after a confirmation that says what stops and what Meta is asked to undo. */
export function DisconnectWhatsApp({ connectedVia, busy }: { connectedVia: "manual" | "signup"; busy: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button tone="critical" onClick={() => setOpen(true)}>{t.disconnect}</Button>
      <Modal open={open} onClose={() => setOpen(false)} title={t.disconnectTitle}>
        <Form method="post" onSubmit={() => setOpen(false)}>
          <input type="hidden" name="intent" value="disconnect" />
          <Modal.Section>
            <BlockStack gap="300">
              <Text as="p">{t.disconnectBody}</Text>
              {connectedVia === "signup" ? <Text as="p">{t.disconnectSignupBody}</Text> : null}
              <InlineStack gap="200" align="end">
                <Button onClick={() => setOpen(false)}>{t.cancel}</Button>
                <Button submit variant="primary" tone="critical" loading={busy}>{t.disconnect}</Button>
              </InlineStack>
            </BlockStack>
          </Modal.Section>
        </Form>
      </Modal>
    </>
  );
}

interface ConnectedNumber {
  displayPhoneNumber: string | null;
  phoneNumberId: string;
  connectedVia: "manual" | "signup";
}

/** The connected number, how it was connected, and the way to disconnect it. */
export function ConnectedWhatsApp({ connection, busy, error }: { connection: ConnectedNumber; busy: boolean; error?: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">{connection.displayPhoneNumber ?? connection.phoneNumberId}</Text>
            <Text as="p" tone="subdued">{connection.connectedVia === "signup" ? t.via : t.viaManual}</Text>
          </BlockStack>
          <DisconnectWhatsApp connectedVia={connection.connectedVia} busy={busy} />
        </InlineStack>
        {error ? <Banner tone="critical">{error}</Banner> : null}
      </BlockStack>
    </Card>
  );
}

/** After a disconnect: sending is paused, and what Meta did not confirm is named. */
export function DisconnectedNotice({ notUndone }: { notUndone: string[] }) {
  const words: Record<string, string> = { registration: t.notUndoneRegistration, subscription: t.notUndoneSubscription };
  return (
    <Banner tone={notUndone.length ? "warning" : "success"} title={t.disconnected}>
      {notUndone.length ? <Text as="p">{`${t.notUndone} ${notUndone.map((step) => words[step] ?? step).join("; ")}.`}</Text> : null}
    </Banner>
  );
}
