import { buildIfStale } from "../../scripts/build-if-stale";

// Integration tests run the production build; build it when it is missing or older than app/.
export default function buildOnce() {
  buildIfStale();
}
