/** A plain-text table of measured figures against their targets. */
export interface Row {
  db: string;
  measure: string;
  value: string;
  target: string;
  result: string;
  met: boolean;
}

export function printTable(rows: Row[]) {
  const header = { db: "database", measure: "measure", value: "measured", target: "target", result: "result", met: "met" };
  const cells = [header, ...rows.map((r) => ({ ...r, met: r.met ? "yes" : "MISSED" }))];
  const keys = Object.keys(header) as Array<keyof typeof header>;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...cells.map((c) => String(c[k]).length))]));
  const line = (c: Record<string, unknown>) => keys.map((k) => String(c[k]).padEnd(width[k])).join("  ");
  console.log("");
  console.log(line(header));
  console.log(keys.map((k) => "-".repeat(width[k])).join("  "));
  for (const c of cells.slice(1)) console.log(line(c));
  console.log("");
}
