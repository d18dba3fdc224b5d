import { Suspense, lazy, useEffect, useState } from "react";
import { SkeletonBodyText } from "@shopify/polaris";

/**
 * A polaris-viz line chart rendered only in the browser: polaris-viz measures the DOM and uses
 * react-spring, neither of which exists during server rendering. The server sends a skeleton of
 * the same height so the page does not jump when the chart arrives.
 */
export interface TrendSeries {
  name: string;
  data: Array<{ key: string; value: number }>;
}

interface ChartProps {
  series: TrendSeries[];
  label: string;
  /** Whole numbers only on the axis (messages, orders), not 0.5 of a message */
  counts?: boolean;
}

// Straight segments between days: a smoothed curve overshoots below zero around a lone busy
// day, which reads as negative messages or revenue.
const THEMES = { Daily: { line: { hasSpline: false } } };

const LazyChart = lazy(async () => {
  const viz = await import("@shopify/polaris-viz");
  function Chart({ series, label, counts }: ChartProps) {
    return (
      <viz.PolarisVizProvider themes={THEMES} defaultTheme="Light">
        <div style={{ height: 240 }} aria-label={label} role="img">
          <viz.LineChart data={series} theme="Daily" isAnimated={false} yAxisOptions={{ integersOnly: counts }} />
        </div>
      </viz.PolarisVizProvider>
    );
  }
  return { default: Chart };
});

export function TrendChart({ series, label, counts = false }: ChartProps) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const placeholder = (
    <div style={{ height: 240 }}>
      <SkeletonBodyText lines={6} />
    </div>
  );
  if (!mounted) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <LazyChart series={series} label={label} counts={counts} />
    </Suspense>
  );
}
