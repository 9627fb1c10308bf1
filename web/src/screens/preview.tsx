import { useEffect, useState } from "preact/hooks";
import type { Import, Preview } from "../api";
import { num, t, type Key } from "../i18n";
import { Problem, Screen } from "../ui";
import { next, path, settle, type Ctx } from "../wizard";
import { fieldTitle, fieldsOf } from "./fields";

const PAGE = 50;

/** PreviewScreen: what importing the user in turn would do, every planned
 * row paged, and the four decisions. */
export function PreviewScreen({ c, go, wizard }: Ctx) {
  const w = wizard!;
  const [job, setJob] = useState<Import | null>(null);
  const [pv, setPv] = useState<Preview | null>(null);
  const [offset, setOffset] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldsOf(c.site, w.entity);
  useEffect(() => {
    settle(c, w.id).then((v) => {
      if (v.waiting?.for !== "decision") return go(next(v));
      setJob(v);
      setOffset(0);
    }).catch(setError);
  }, [w.id]);
  useEffect(() => {
    if (!job?.waiting?.user) return;
    c.get<Preview>(path(w.id, `/preview?user=${encodeURIComponent(job.waiting.user.id)}&offset=${offset}&limit=${PAGE}`)).then(setPv, setError);
  }, [job, offset]);

  const decide = async (decision: string) => {
    setBusy(true);
    try {
      await c.post(path(w.id, "/decision"), { decision, user: job!.waiting!.user!.id });
      if (decision === "back") {
        go(next(await settle(c, w.id)));
      } else {
        go({ screen: "progress" });
      }
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const u = pv?.user;
  const who = u ? (u.name ? `${u.name} <${u.email}>` : u.email) : "";
  const counts: [Key, number][] = pv ? [
    ["preview.create", pv.counts.create], ["preview.update", pv.counts.update], ["preview.unchanged", pv.counts.unchanged],
    ["preview.delete", pv.counts.delete], ["preview.skip", pv.counts.skip], ["preview.errors", pv.counts.errors],
  ] : [];
  const rows = pv?.rows ?? [];
  return (
    <Screen title={pv ? t("preview.title", { user: who }) : t("common.loading")} name="preview" ready={!!pv}>
      <Problem error={error} />
      {pv && (
        <>
          <p>{t("preview.userRows", { n: u!.rows })} · <strong>{t("preview.matched", { n: pv.matched })}</strong></p>
          <table class="counts" data-testid="preview-counts">
            <thead><tr>{counts.map(([k]) => <th scope="col">{t(k)}</th>)}</tr></thead>
            <tbody><tr>{counts.map(([, n]) => <td class="num">{num(n)}</td>)}</tr></tbody>
          </table>
          {(pv.sample ?? []).some((r) => (r.changes?.length ?? 0) > 0) && (
            <>
              <h2>{t("preview.changes")}</h2>
              <table>
                <thead><tr><th scope="col">{t("report.row")}</th><th scope="col">{t("preview.field")}</th><th scope="col">{t("preview.old")}</th><th scope="col">{t("preview.new")}</th></tr></thead>
                <tbody>
                  {pv.sample!.flatMap((r) => (r.changes ?? []).map((ch) => (
                    <tr><td class="num">{num(r.row)}</td><td>{fieldTitle(fields, ch.field)}</td><td><del>{ch.old}</del></td><td><ins>{ch.new}</ins></td></tr>
                  )))}
                </tbody>
              </table>
            </>
          )}
          <h2>{t("preview.rows")}</h2>
          <table>
            <thead><tr><th scope="col">{t("report.row")}</th><th scope="col">{t("preview.action")}</th><th scope="col">{t("preview.details")}</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td class="num">{num(r.row)}</td>
                  <td>{t(("action." + r.action) as Key)}</td>
                  <td>
                    {(r.changes ?? []).map((ch) => `${fieldTitle(fields, ch.field)}: ${ch.old} → ${ch.new}`).join("; ")}
                    {r.reason}
                    {(r.errors ?? []).map((e) => `${e.column ?? ""} ${e.value ? `"${e.value}"` : ""}: ${e.reason}`).join("; ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>{t("common.rowsShown", { from: rows.length ? offset + 1 : 0, to: offset + rows.length, total: pv.total })}</p>
          <div class="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t("common.previous")}</button>
            <button type="button" disabled={pv.nextOffset == null} onClick={() => setOffset(pv.nextOffset!)}>{t("common.next")}</button>
          </div>
          <div class="actions decisions" role="group" aria-label={t("preview.decisions")}>
            <button type="button" disabled={busy} onClick={() => decide("back")}>{t("preview.back")}</button>
            <button type="button" disabled={busy} onClick={() => decide("skip")}>{t("preview.skipUser")}</button>
            <button type="button" disabled={busy} onClick={() => decide("import-all")}>{t("preview.importAll")}</button>
            <button type="button" class="primary" disabled={busy} onClick={() => decide("import")}>{t("preview.import")}</button>
          </div>
        </>
      )}
    </Screen>
  );
}
