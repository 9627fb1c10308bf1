import { useEffect, useState } from "preact/hooks";
import { ended, type Import, type Result } from "../api";
import { t, type Key } from "../i18n";
import { Problem, Progress, Screen, sleep } from "../ui";
import { next, path, type Ctx } from "../wizard";
import { CountsTable } from "./results";

/** ProgressScreen follows an import while it applies (GET /imports/{id}
 * every second, no reload), with each user's result so far, until it waits
 * for the tenant again or ends. */
export function ProgressScreen({ c, go, wizard }: Ctx) {
  const w = wizard!;
  const [job, setJob] = useState<Import | null>(null);
  const [results, setResults] = useState<Result[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    (async () => {
      while (live) {
        const v = await c.get<Import>(path(w.id));
        if (!live) return;
        setJob(v);
        c.get<{ users: Result[] }>(path(w.id, "/results")).then((r) => live && setResults(r.users ?? []), () => undefined);
        if ((v.status === "WAITING" && v.waiting) || ended(v.status)) {
          await sleep(400);
          if (live) go(next(v));
          return;
        }
        await sleep(1000);
      }
    })().catch(setError);
    return () => { live = false; };
  }, [w.id]);
  return (
    <Screen title={t("progress.title")} name="progress">
      <Problem error={error} />
      {job && (
        <>
          <p>{t(("status." + job.status) as Key)}</p>
          <Progress label={t("progress.bar")} value={job.done} max={job.total} text={t("progress.rows", { done: job.done, total: job.total })} />
        </>
      )}
      {results.length > 0 && (
        <>
          <h2>{t("results.title")}</h2>
          <CountsTable testid="results" rows={results.map((r) => ({ user: r.user.email || r.user.id, status: r.status, counts: r.counts }))} />
        </>
      )}
    </Screen>
  );
}
