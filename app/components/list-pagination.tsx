import { useSearchParams } from "@remix-run/react";
import { Pagination } from "@shopify/polaris";

/**
 * The footer of a keyset-paged list (app/shared/cursor.ts): Polaris pagination, or nothing when
 * the list fits on one page.
 */
export function ListPagination({ previousUrl, nextUrl, previousLabel, nextLabel }: {
  previousUrl?: string;
  nextUrl?: string;
  previousLabel?: string;
  nextLabel?: string;
}) {
  if (!previousUrl && !nextUrl) return null;
  return (
    <div style={{ padding: 12, display: "flex", justifyContent: "center" }}>
      <Pagination
        hasPrevious={Boolean(previousUrl)}
        previousURL={previousUrl}
        previousTooltip={previousLabel}
        hasNext={Boolean(nextUrl)}
        nextURL={nextUrl}
        nextTooltip={nextLabel}
      />
    </div>
  );
}

/** Links to the pages around this one that keep the list's filters and replace only the cursor. */
export function useCursorUrls({ previous, next }: { previous?: string | null; next?: string | null }) {
  const [params] = useSearchParams();
  const url = (key: "after" | "before", cursor: string) => {
    const copy = new URLSearchParams(params);
    copy.delete("after");
    copy.delete("before");
    copy.set(key, cursor);
    return `?${copy}`;
  };
  return {
    previousUrl: previous ? url("before", previous) : undefined,
    nextUrl: next ? url("after", next) : undefined,
  };
}
