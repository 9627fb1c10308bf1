import { useEffect, useState } from "preact/hooks";
import type { Summary } from "../api";
import { t, type Key } from "../i18n";
import { Problem, Screen } from "../ui";
import { path, type Ctx } from "../wizard";
import { CountsTable } from "./results";

/** SummaryScreen: the import's closing counts per user and in all, and
 * the error file. */
export function SummaryScreen({ c, go, wizard }: Ctx) {
  const w = wizard!;
  const [s, setS] = useState<Summary | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    c.get<Summary>(path(w.id, "/summary")).then(setS, setError);
  }, [w.id]);
  return (
    <Screen title={t("summary.title")} name="summary" ready={!!s}>
      <Problem error={error} />
      {s && (
        <>
          <p>{t("summary.status", { status: t(("status." + s.status) as Key) })}</p>
          {s.reason && <p class="reason">{s.reason}</p>}
          <CountsTable testid="summary" rows={(s.users ?? []).map((u) => ({ user: u.email || u.id, counts: u.counts }))} total={s.counts} />
          {s.hasErrorFile ? (
            <button type="button" onClick={() => c.download(path(w.id, "/errors"), "errors-" + w.id + ".csv").catch(setError)}>{t("summary.errorFile")}</button>
          ) : <p>{t("summary.noErrorFile")}</p>}
          <div class="actions">
            {c.session?.groups.includes("administrator") && <button type="button" onClick={() => go({ screen: "undo", id: w.id })}>{t("summary.undo")}</button>}
            <button type="button" class="primary" onClick={() => go({ screen: "upload" })}>{t("summary.new")}</button>
          </div>
        </>
      )}
    </Screen>
  );
}
