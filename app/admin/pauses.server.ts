import prisma from "../db.server";

/** Why nothing (or one flow) is being sent right now: shown as a banner on every admin page. */
export interface Pauses {
  shopReason: string | null;
  flows: Array<{ flow: string; reason: string }>;
}

export async function loadPauses(shop: string): Promise<Pauses> {
  const [row, flows] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { sendingPausedReason: true } }),
    prisma.flowSetting.findMany({
      where: { shop, pausedReason: { not: null } },
      select: { flow: true, pausedReason: true },
      orderBy: { flow: "asc" },
    }),
  ]);
  return {
    shopReason: row?.sendingPausedReason ?? null,
    flows: flows.map((f) => ({ flow: f.flow, reason: f.pausedReason ?? "" })),
  };
}
