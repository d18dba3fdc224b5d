/**
 * `npm run test:chaos`: Rebound's reliability suite against the real server (own process,
 * bench/app-process.ts) and PostgreSQL. Workers killed with SIGKILL mid-run, WhatsApp failing
 * one call in five, the app's PostgreSQL connections terminated, webhooks replayed out of order,
 * a few thousand hostile requests, two shops trying to touch each other's rows, privacy redaction.
 * Prints `CHAOS {json}` last; exits 1 on every violation it reports: a message lost, a duplicate
 * where no process died, retries past the limit, a hostile input stored or answered other than
 * 4xx, the server unhealthy afterwards, a webhook failing after the database connections were
 * cut, a shop reaching another's rows, personal data surviving a redaction, a replay with a
 * second effect, an operational or consent attack not refused, or a scenario that could not finish.
 * PostgreSQL is required (workers are separate processes); without it the suite says so and
 * exits 1: a reliability run that did not run is not a pass.
 */
import { snapshotBuild } from "../../scripts/build-snapshot";
import { operationalAttacks } from "./attacks";
import { connectionKills, MAX_ATTEMPTS, whatsappFaults } from "./faults";
import { reachablePostgres } from "../../scripts/reachable-postgres";
import { startHarness } from "./harness";
import { hostileInputs } from "./hostile";
import { replayOutOfOrder } from "./replay";
import { replayEveryTopic } from "./replay-topics";
import { redaction, tenantIsolation } from "./tenants";
import { workerKill } from "./worker-kill";

const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 10_000);
const FAULT_MESSAGES = Number(process.env.CHAOS_FAULT_MESSAGES ?? 200);

async function main() {
  const started = Date.now();
  const baseUrl = await reachablePostgres();
  if (!baseUrl) {
    console.log("chaos: FAILED: PostgreSQL is unreachable, nothing was tested (set DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)");
    console.log(`CHAOS ${JSON.stringify({ errors: ["postgresql unreachable"], violations: ["postgresql unreachable"] })}`);
    return 1;
  }
  const snapshot = snapshotBuild("chaos");
  const h = await startHarness(baseUrl, snapshot.root);
  const report: Record<string, unknown> = {};
  const errors: string[] = [];
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    const t0 = Date.now();
    try {
      const result = await run();
      report[name] = result;
      console.log(`chaos: ${name} (${Math.round((Date.now() - t0) / 1000)} s): ${JSON.stringify(result, null, 0).slice(0, 1500)}`);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push(`${name}: ${message}`);
      console.log(`chaos: ${name} FAILED after ${Math.round((Date.now() - t0) / 1000)} s: ${message}`);
      return undefined;
    }
  };
  try {
    const hostile = await step("hostile_inputs", () => hostileInputs(h));
    const replay = await step("replay_out_of_order", () => replayOutOfOrder(h));
    const replayTopics = await step("replay_every_topic", () => replayEveryTopic(h));
    const attacks = await step("operational_attacks", () => operationalAttacks(h));
    const isolation = await step("tenant_isolation", () => tenantIsolation(h));
    const redact = await step("redaction", () => redaction(h));
    const faults = await step("whatsapp_faults", () => whatsappFaults(h, FAULT_MESSAGES));
    const pgKills = await step("postgres_connection_kills", () => connectionKills(h, FAULT_MESSAGES));
    const kills = await step("worker_kill_9", () => workerKill(h, MESSAGES));

    const summary = {
      lost: (kills?.lost ?? 0) + (faults?.lost ?? 0) + (pgKills?.lost ?? 0),
      duplicates: (kills?.duplicates ?? 0) + (faults?.duplicates ?? 0) + (pgKills?.duplicates ?? 0),
      faults_injected: (faults?.faults_injected ?? 0) + (pgKills?.backends_terminated ?? 0) + (kills?.kills ?? 0),
      bad_inputs: hostile?.bad_inputs ?? 0,
      bad_inputs_stored: hostile?.rows_stored ?? 0,
      bad_inputs_not_4xx: hostile?.not_4xx.length ?? 0,
      rate_limit_rows: hostile?.rate_limit_rows ?? 0,
      signed_bad_inputs: hostile?.signed_bad_inputs ?? 0,
      signed_bad_inputs_kept: hostile?.signed_kept ?? 0,
      signed_bad_inputs_not_2xx: hostile?.signed_not_2xx.length ?? 0,
      isolation_violations: isolation?.violations.length ?? 0,
      pii_left: redact?.pii_left ?? 0,
      replay_violations: (replay?.violations.length ?? 0) + (replayTopics?.violations.length ?? 0),
      replay_topics: replayTopics?.topics.length ?? 0,
      attacks_tried: attacks?.length ?? 0,
      attacks_refused: attacks?.filter((a) => a.refused).length ?? 0,
      /** Duplicates where no process died (WhatsApp faults, cut connections); kill -9 ones are at-least-once */
      duplicates_without_death: (faults?.duplicates ?? 0) + (pgKills?.duplicates ?? 0),
      kill9_messages: kills?.messages ?? 0,
      kill9_duplicates: kills?.duplicates ?? 0,
      whatsapp_fault_max_attempts: faults?.max_attempts ?? null,
      postgres_backends_terminated: pgKills?.backends_terminated ?? 0,
      webhooks_after_pg_kills_ok: pgKills ? `${pgKills.webhooks_after_ok}/${pgKills.webhooks_after}` : null,
      healthy_after_hostile: hostile?.healthy_after ?? false,
      errors,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    if (hostile && hostile.not_4xx.length > 0) console.log(`chaos: answered other than 4xx: ${JSON.stringify(hostile.not_4xx.slice(0, 30))}`);
    if (hostile && Object.keys(hostile.tables_changed).length > 0) console.log(`chaos: tables changed by hostile input: ${JSON.stringify(hostile.tables_changed)}`);
    if (hostile && hostile.signed_not_2xx.length > 0) console.log(`chaos: signed garbage answered other than 2xx: ${JSON.stringify(hostile.signed_not_2xx.slice(0, 30))}`);
    if (hostile && Object.keys(hostile.signed_tables_changed).length > 0) console.log(`chaos: tables changed by signed garbage: ${JSON.stringify(hostile.signed_tables_changed)}`);
    // Signed garbage is kept for an operator exactly once per delivery, and nowhere else.
    const signedWrong = hostile ? hostile.signed_kept !== hostile.signed_bad_inputs || hostile.signed_not_2xx.length > 0 || Object.keys(hostile.signed_tables_changed).length > 0 : false;
    if (isolation?.violations.length) console.log(`chaos: isolation: ${isolation.violations.join("; ")}`);
    if (redact?.pii_left) console.log(`chaos: personal data left: ${JSON.stringify(redact.left)}`);
    if (replay?.violations.length) console.log(`chaos: replay: ${replay.violations.join("; ")}`);
    if (replayTopics?.violations.length) console.log(`chaos: replay of every topic: ${replayTopics.violations.join("; ")}`);
    const notRefused = attacks?.filter((a) => !a.refused) ?? [];
    if (notRefused.length) console.log(`chaos: attacks not refused: ${JSON.stringify(notRefused)}`);
    // Every check the summary reports, each a reason to fail the run.
    const violations: string[] = [];
    const expect = (bad: boolean, what: string) => {
      if (bad) violations.push(what);
    };
    expect(summary.lost > 0, `${summary.lost} messages lost`);
    expect(summary.duplicates_without_death > 0, `${summary.duplicates_without_death} duplicates where no process died`);
    expect(summary.bad_inputs_stored > 0, `${summary.bad_inputs_stored} hostile inputs stored`);
    expect(signedWrong, "signed garbage not kept exactly once with a 2xx, or other tables changed");
    expect(summary.bad_inputs_not_4xx > 0, `${summary.bad_inputs_not_4xx} hostile inputs answered other than 4xx`);
    expect(!summary.healthy_after_hostile, "server unhealthy after the hostile inputs");
    expect(!pgKills || pgKills.webhooks_after_ok !== pgKills.webhooks_after, `webhooks after the connection kills: ${summary.webhooks_after_pg_kills_ok ?? "not run"}`);
    expect(!faults || faults.max_attempts > MAX_ATTEMPTS, `retries past the limit (${summary.whatsapp_fault_max_attempts} > ${MAX_ATTEMPTS})`);
    expect(summary.isolation_violations > 0, `${summary.isolation_violations} isolation violations`);
    expect(summary.pii_left > 0, `${summary.pii_left} personal data left after redaction`);
    expect(summary.replay_violations > 0, `${summary.replay_violations} replay violations`);
    expect(!attacks || summary.attacks_refused !== summary.attacks_tried, `attacks refused ${summary.attacks_refused}/${summary.attacks_tried}`);
    expect(errors.length > 0, `${errors.length} scenarios failed`);
    if (violations.length) console.log(`chaos: FAILED: ${violations.join("; ")}`);
    console.log(`CHAOS ${JSON.stringify({ ...summary, violations })}`);
    return violations.length > 0 ? 1 : 0;
  } finally {
    await h.close().catch((error) => console.error("chaos: cleanup:", error));
    snapshot.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
