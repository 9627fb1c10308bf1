import { useEffect, useState } from "preact/hooks";
import type { Import, Undo } from "../api";
import { num, t } from "../i18n";
import { Problem, Progress, Screen, sleep } from "../ui";
import { path, type Ctx } from "../wizard";

/** UndoScreen: the undo's dry run (what is deleted, put back, and the
 * records changed since), then the undo after an explicit confirmation;
 * an asynchronous undo (202, the contract's "undo" object) is followed
 * until it ends. */
export function UndoScreen({ c, id }: Ctx & { id: string }) {
  const [job, setJob] = useState<Import | null>(null);
  const [dry, setDry] = useState<Undo | null>(null);
  const [force, setForce] = useState(false);
  const [agree, setAgree] = useState(false);
  const [result, setResult] = useState<Undo | null>(null);
  const [running, setRunning] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    c.get<Import>(path(id)).then(setJob, setError);
    c.post<Undo>(path(id, "/undo"), { confirm: false, force: false }).then(setDry, setError);
  }, [id]);

  const run = async () => {
    setError(null);
    try {
      let out = await c.post<Undo>(path(id, "/undo"), { confirm: true, force });
      while (out.undo?.status === "RUNNING") {
        setRunning({ done: out.undo.done ?? 0, total: out.undo.total ?? 0 });
        await sleep(1000);
        const v = await c.get<Import>(path(id));
        out = { ...out, undo: v.undo, ...(v.undo ? { deleted: v.undo.deleted ?? out.deleted, restored: v.undo.restored ?? out.restored } : {}) };
      }
      setRunning(null);
      setResult(out);
    } catch (e) {
      setError(e);
    }
  };
  const changes = dry ? dry.deleted + dry.restored - dry.already + (force ? dry.conflictsTotal : 0) : 0;

  return (
    <Screen title={t("undo.title", { file: job?.file ?? id })} name="undo" ready={!!dry || !!error}>
      <Problem error={error} />
      {dry && !result && (
        <div class="confirm">
          <p>{t("undo.dryRun")}</p>
          <ul>
            <li>{t("undo.deleted", { n: dry.deleted })}</li>
            <li>{t("undo.restored", { n: dry.restored })}</li>
            {dry.already > 0 && <li>{t("undo.already", { n: dry.already })}</li>}
          </ul>
          {dry.conflictsTotal > 0 && (
            <>
              <p class="warn">{t("undo.conflicts", { n: dry.conflictsTotal })}</p>
              <table>
                <thead><tr><th scope="col">{t("undo.conflictRecord")}</th><th scope="col">{t("undo.now")}</th><th scope="col">{t("undo.after")}</th></tr></thead>
                <tbody>
                  {(dry.conflicts ?? []).map((x) => (
                    <tr><td>{x.user} · {x.id}<div class="reason">{x.reason}</div></td>
                      <td>{x.now ? Object.entries(x.now).map(([k, v]) => `${k}: ${v}`).join("; ") : "—"}</td>
                      <td>{x.undo ? Object.entries(x.undo).map(([k, v]) => `${k}: ${v}`).join("; ") : "—"}</td></tr>
                  ))}
                </tbody>
              </table>
              <label class="choice"><input type="checkbox" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} /> {t("undo.force")}</label>
            </>
          )}
          <label class="choice"><input type="checkbox" checked={agree} onChange={(e) => setAgree((e.target as HTMLInputElement).checked)} /> {t("undo.confirmCheck", { n: num(changes) })}</label>
          <div class="actions">
            <button type="button" class="primary danger" disabled={!agree || !!running} onClick={run}>{t("undo.confirm")}</button>
          </div>
        </div>
      )}
      {running && <Progress label={t("undo.confirm")} value={running.done} max={running.total} text={t("undo.running", running)} />}
      {result && <p role="status">{t("undo.done", { deleted: result.deleted, restored: result.restored, conflicts: result.conflictsTotal })}</p>}
    </Screen>
  );
}
