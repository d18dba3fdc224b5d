import { buildIfStale } from "../../scripts/build-if-stale";

// Integration tests serve the production build's browser files; build it when it is missing or
// older than its sources.
export default function buildOnce() {
  buildIfStale();
}
