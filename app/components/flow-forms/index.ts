import type { ComponentType } from "react";
import type { ConfigurableFlow, FlowConfig } from "../../flows/settings";
import { AbandonedCartForm } from "./abandoned-cart";
import { AppointmentForm } from "./appointment";
import { BackInStockForm } from "./back-in-stock";
import { PromotionForm } from "./promotion";
import { ReorderForm } from "./reorder";
import { UpsellForm } from "./upsell";
import type { FlowFormProps } from "./types";

/** Each flow's settings form, typed from that flow's config. */
export const FLOW_FORMS: { [F in ConfigurableFlow]: ComponentType<FlowFormProps<FlowConfig<F>>> } = {
  abandoned_cart: AbandonedCartForm,
  back_in_stock: BackInStockForm,
  reorder: ReorderForm,
  upsell: UpsellForm,
  promotion: PromotionForm,
  appointment: AppointmentForm,
};

export type { FlowFormProps } from "./types";
