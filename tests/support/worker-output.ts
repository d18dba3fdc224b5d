/**
 * The pid a `npm run worker` process logs once it runs (its "rebound worker started" line, a JSON
 * log line on stderr at LOG_LEVEL info), read from what it has written so far.
 */
export function startedWorkerPid(output: string): number | undefined {
  for (const line of output.split("\n")) {
    if (!line.includes('"rebound worker started"')) continue;
    try {
      const entry = JSON.parse(line) as { message?: string; pid?: number };
      if (entry.message === "rebound worker started" && typeof entry.pid === "number") return entry.pid;
    } catch {
      // a line still being written
    }
  }
  return undefined;
}
