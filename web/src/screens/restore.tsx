import { useEffect, useState } from "preact/hooks";
import { ApiError, type Restore, type RestorePoint } from "../api";
import { date, num, t, type Key } from "../i18n";
import { Problem, Progress, Screen, sleep } from "../ui";
import type { Ctx } from "../wizard";

const endedRestore = (s: string) => ["SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"].includes(s);

/** RestorePoints lists the tenant's restore points; a restore is planned
 * first (its dry run: what is put back, deleted, and the people's edits
 * lost), and runs only after an explicit confirmation that says so
 * (/tmp/s3/restore-contract.md). */
export function RestorePoints({ c }: Ctx) {
  const [points, setPoints] = useState<RestorePoint[] | null>(null);
  const [chosen, setChosen] = useState<RestorePoint | null>(null);
  const [users, setUsers] = useState("");
  const [restore, setRestore] = useState<Restore | null>(null);
  const [agree, setAgree] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [unavailable, setUnavailable] = useState("");
  useEffect(() => {
    c.get<{ restorePoints: RestorePoint[] }>("/restore-points").then((r) => setPoints(r.restorePoints ?? []), setError);
  }, []);

  const follow = async (id: string) => {
    for (;;) {
      const r = await c.get<Restore>("/restores/" + encodeURIComponent(id));
      setRestore(r);
      if (r.status === "READY" || endedRestore(r.status)) return;
      await sleep(1000);
    }
  };
  const plan = async () => {
    setError(null);
    setUnavailable("");
    setAgree(false);
    try {
      const list = users.split(",").map((x) => x.trim()).filter(Boolean);
      const out = await c.post<{ restore: Restore }>("/restore-points/" + encodeURIComponent(chosen!.import) + "/restore", { users: list });
      setRestore(out.restore);
      await follow(out.restore.id);
    } catch (e) {
      // Until the restore routes are deployed the API answers 404.
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) setUnavailable(t("restore.unavailable", { message: e.message }));
      else setError(e);
    }
  };
  const changed = restore ? restore.putBack + restore.deleted : 0;

  return (
    <Screen title={t("restore.title")} name="restore" ready={points !== null || !!error}>
      <p>{t("restore.intro")}</p>
      <Problem error={error} />
      {unavailable && <p role="alert" class="warn">{unavailable}</p>}
      {points === null ? <p>{t("common.loading")}</p> : points.length === 0 ? <p>{t("restore.empty")}</p> : (
        <table>
          <thead><tr><th scope="col">{t("restore.time")}</th><th scope="col">{t("restore.import")}</th><th scope="col">{t("history.entity")}</th><th scope="col">{t("history.status")}</th><th scope="col">{t("history.actions")}</th></tr></thead>
          <tbody>
            {points.map((p) => (
              <tr data-point={p.import}>
                <td>{date(p.time)}</td><td>{p.file}</td><td>{t(("entity." + p.entity) as Key)}</td><td>{t(("status." + p.status) as Key)}</td>
                <td><button type="button" aria-label={t("restore.start") + ": " + p.file} onClick={() => { setChosen(p); setRestore(null); }}>{t("restore.start")}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen && !restore && (
        <form onSubmit={(e) => { e.preventDefault(); plan(); }}>
          <label for="restore-users">{t("restore.users")}</label>
          <input id="restore-users" value={users} onInput={(e) => setUsers((e.target as HTMLInputElement).value)} />
          <button type="submit" class="primary">{t("restore.start")}</button>
        </form>
      )}
      {restore?.status === "PLANNING" && <p aria-live="polite">{t("restore.planning")}</p>}
      {restore?.status === "READY" && (
        <div class="confirm" role="region" aria-label={t("restore.ready", { time: date(restore.time) })}>
          <p>{t("restore.ready", { time: date(restore.time) })}</p>
          <ul>
            <li>{t("restore.putBack", { n: restore.putBack })}</li>
            <li>{t("restore.deleted", { n: restore.deleted })}</li>
            <li>{t("restore.unchanged", { n: restore.unchanged })}</li>
          </ul>
          {restore.editsLost > 0 && <p class="error"><strong>{t("restore.editsLost", { n: restore.editsLost })}</strong></p>}
          {restore.importsSince?.length > 0 && <p>{t("restore.importsSince", { ids: restore.importsSince.join(", ") })}</p>}
          <label class="choice"><input type="checkbox" checked={agree} onChange={(e) => setAgree((e.target as HTMLInputElement).checked)} /> {t("restore.confirmCheck", { n: num(changed), lost: num(restore.editsLost), time: date(restore.time) })}</label>
          <div class="actions">
            <button type="button" onClick={() => c.post<Restore>("/restores/" + restore.id + "/cancel", {}).then(setRestore, setError)}>{t("restore.cancel")}</button>
            <button type="button" class="primary danger" disabled={!agree} onClick={() => c.post<Restore>("/restores/" + restore.id + "/confirm", {}).then((r) => { setRestore(r); return follow(r.id); }).catch(setError)}>{t("restore.confirm")}</button>
          </div>
        </div>
      )}
      {restore?.status === "RESTORING" && <Progress label={t("restore.title")} value={restore.done} max={restore.total} text={t("restore.running", { done: restore.done, total: restore.total })} />}
      {restore && endedRestore(restore.status) && <p role="status">{t("restore.done", { status: restore.status })}{restore.reason ? ": " + restore.reason : ""}</p>}
    </Screen>
  );
}
