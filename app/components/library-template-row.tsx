import { Badge, BlockStack, Button, InlineStack, Text, TextField, type BadgeProps } from "@shopify/polaris";
import { Form } from "@remix-run/react";
import { useState } from "react";
import { renderTemplate } from "../admin/template-preview";
import { en, fill } from "../i18n/admin";
import { TemplateBubble } from "./template-bubble";

const t = en.templates;

export interface LibraryRowView {
  name: string;
  language: string;
  state: string;
  rejectedReason: string | null;
  quality: string | null;
  origin: string | null;
  words: { body: string; buttons: string[] };
  components: unknown;
  examples: string[];
  step: number | null;
}

const STATE_TONE: Record<string, BadgeProps["tone"]> = {
  APPROVED: "success",
  PENDING: "info",
  SUBMITTING: "info",
  REJECTED: "critical",
  REFUSED: "critical",
  DISABLED: "critical",
  PAUSED: "warning",
};
const QUALITY_TONE: Record<string, BadgeProps["tone"]> = { GREEN: "success", YELLOW: "warning", RED: "critical" };
const EDITABLE = new Set(["NOT_SUBMITTED", "REFUSED", "SUBMITTING", "APPROVED", "REJECTED", "PAUSED"]);

/** One library template: its state and quality, a WhatsApp-like preview, and its words to edit. */
export function LibraryTemplateRow({ row, busy, errors }: { row: LibraryRowView; busy: boolean; errors: Record<string, string> | null }) {
  const [open, setOpen] = useState<"preview" | "edit" | null>(errors ? "edit" : null);
  const [body, setBody] = useState(row.words.body);
  const [buttons, setButtons] = useState(row.words.buttons);
  const canSubmit = ["NOT_SUBMITTED", "REFUSED", "SUBMITTING"].includes(row.state);
  const library = row.origin !== "synced";
  const reason = row.rejectedReason && (row.state === "REJECTED" || row.state === "REFUSED")
    ? fill(row.state === "REJECTED" ? t.rejectedBecause : t.refusedBecause, { reason: row.rejectedReason })
    : null;
  const rendered = renderTemplate(open === "edit" ? [{ type: "BODY", text: body }, { type: "BUTTONS", buttons: buttons.map((text) => ({ text })) }] : row.components, row.examples);
  return (
    <div data-template={row.name}>
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="center" gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" fontWeight="semibold">{row.name}</Text>
          {row.step ? <Text as="span" tone="subdued">{fill(t.step, { n: row.step })}</Text> : null}
          <Badge tone={STATE_TONE[row.state]}>{t.states[row.state] ?? row.state}</Badge>
          {row.quality ? <Badge tone={QUALITY_TONE[row.quality]}>{`${t.quality}: ${t.qualities[row.quality] ?? row.quality}`}</Badge> : null}
          {!library ? <Text as="span" tone="subdued">{t.madeElsewhere}</Text> : null}
        </InlineStack>
        <InlineStack gap="200">
          <Button onClick={() => setOpen(open === "preview" ? null : "preview")}>{open === "preview" ? t.hidePreview : t.preview}</Button>
          {library && EDITABLE.has(row.state) ? <Button onClick={() => setOpen(open === "edit" ? null : "edit")}>{open === "edit" ? t.cancel : t.edit}</Button> : null}
          {canSubmit ? (
            <Form method="post">
              <input type="hidden" name="intent" value="submit" />
              <input type="hidden" name="name" value={row.name} />
              <input type="hidden" name="language" value={row.language} />
              <Button submit variant="primary" loading={busy}>{t.submit}</Button>
            </Form>
          ) : null}
        </InlineStack>
      </InlineStack>
      {reason ? <Text as="p" tone="critical">{reason}</Text> : null}
      {open === "preview" ? <TemplateBubble rendered={rendered} /> : null}
      {open === "edit" ? (
        <Form method="post">
          <input type="hidden" name="intent" value="edit" />
          <input type="hidden" name="name" value={row.name} />
          <input type="hidden" name="language" value={row.language} />
          <InlineStack gap="400" align="start" blockAlign="start" wrap={false}>
            <div style={{ flex: 1 }}>
              <BlockStack gap="200">
                <TextField label={t.body} name="body" value={body} onChange={setBody} multiline={3} autoComplete="off" helpText={t.bodyHelp} error={errors?.body} />
                {buttons.map((label, i) => (
                  <TextField key={i} label={fill(t.button, { n: i + 1 })} name={`button.${i}`} value={label} maxLength={25} autoComplete="off"
                    onChange={(v) => setButtons(buttons.map((b, j) => (j === i ? v : b)))} error={errors?.[`button.${i}`]} />
                ))}
                {row.state === "APPROVED" ? <Text as="p" tone="subdued" variant="bodySm">{t.editHelpApproved}</Text> : null}
                <InlineStack>
                  <Button submit variant="primary" loading={busy}>{canSubmit ? t.submitEdited : t.saveEdit}</Button>
                </InlineStack>
              </BlockStack>
            </div>
            <TemplateBubble rendered={rendered} />
          </InlineStack>
        </Form>
      ) : null}
    </BlockStack>
    </div>
  );
}
