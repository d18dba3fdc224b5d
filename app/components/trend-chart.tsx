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

const LazyChart = lazy(async () => {
  const viz = await import("@shopify/polaris-viz");
  function Chart({ series, label }: { series: TrendSeries[]; label: string }) {
    return (
      <viz.PolarisVizProvider>
        <div style={{ height: 240 }} aria-label={label} role="img">
          <viz.LineChart data={series} theme="Light" isAnimated={false} />
        </div>
      </viz.PolarisVizProvider>
    );
  }
  return { default: Chart };
});

export function TrendChart({ series, label }: { series: TrendSeries[]; label: string }) {
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
      <LazyChart series={series} label={label} />
    </Suspense>
  );
}
