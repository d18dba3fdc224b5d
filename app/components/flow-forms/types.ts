import type { ReactElement, ReactNode } from "react";
import type { CollectionChoices } from "../../admin/flow-settings.server";
import type { SendShape } from "../../outbox/template-fit";

/** An approved template of the flow's category, as the page lists it. */
export interface TemplateChoice {
  name: string;
  language: string;
  components: unknown;
}

/** What the preview beside the form shows: the chosen template and the sample values it needs. */
export interface PreviewChoice {
  /** The template picker's value (templateValue) shown in the preview, or "" */
  template: string;
  /** The previewed message carries a discount code */
  discount: boolean;
  /** The reorder flow's default interval, for its {{2}} */
  days: string;
}

export interface FlowFormParts {
  /** The flow's own cards, placed between the on/off switch and the control group */
  fields: ReactNode;
  preview: PreviewChoice;
  /** The flow sends a template chosen here (promotions choose theirs per campaign) */
  usesTemplates: boolean;
}

/** Props of one flow's form, typed from that flow's config (app/flows/settings/<flow>.ts). */
export interface FlowFormProps<C> {
  config: C;
  templates: TemplateChoice[];
  /** What the flow's messages carry (app/flows/send-shape.ts); null when it depends on the form (cart steps) */
  shape: SendShape | null;
  /** The template category, lower case, for help texts */
  category: string;
  errors: Record<string, string>;
  currency: string;
  collections: CollectionChoices | null;
  /** Lays the flow's parts out in the page the flows share */
  frame: (parts: FlowFormParts) => ReactElement;
}

export const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));
