import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium, driven by playwright-core; no test tool downloads a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** True (and says why, once) when browser tests cannot run on this machine. */
export function chromiumMissing(): boolean {
  if (existsSync(CHROMIUM)) return false;
  console.warn(`browser tests skipped: chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
  return true;
}

/** Headless, and without the background calls this machine's closed network would refuse. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}
