import { useEffect, useState } from "preact/hooks";
import { ended, type Import } from "../api";
import { date, t, type Key } from "../i18n";
import { Problem, Progress, Screen } from "../ui";
import { next, type Ctx } from "../wizard";

/** History lists the tenant's imports, newest first, refreshed while any
 * of them runs. */
export function History({ c, go, setWizard }: Ctx) {
  const [list, setList] = useState<Import[] | null>(null);
  const [more, setMore] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const load = async (after?: string) => {
    try {
      const page = await c.get<{ imports: Import[]; next?: string }>("/imports?limit=20" + (after ? "&next=" + encodeURIComponent(after) : ""));
      setList((old) => (after ? [...(old ?? []), ...page.imports] : page.imports));
      setMore(page.next);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
    const timer = setInterval(() => list?.some((v) => !ended(v.status)) && load(), 3000);
    return () => clearInterval(timer);
  }, [list?.some((v) => !ended(v.status))]);

  return (
    <Screen title={t("history.title")} name="history" ready={list !== null}>
      <Problem error={error} />
      {list === null ? <p>{t("common.loading")}</p> : list.length === 0 ? <p>{t("history.empty")}</p> : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("history.file")}</th><th scope="col">{t("history.entity")}</th>
              <th scope="col">{t("history.status")}</th><th scope="col">{t("history.progress")}</th>
              <th scope="col">{t("history.started")}</th><th scope="col">{t("history.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.id} data-import={v.id}>
                <td>{v.file}</td>
                <td>{t(("entity." + v.entity) as Key)}</td>
                <td>
                  {t(("status." + v.status) as Key)}
                  {v.reason && <div class="reason">{v.reason}</div>}
                  {v.undone && <div class="reason">{t("history.undone", { at: date(v.undone.at) })}</div>}
                </td>
                <td>
                  <Progress label={t("history.progress") + " " + v.file} value={v.done} max={v.total}
                    text={t("history.progressOf", { done: v.done, total: v.total })} />
                </td>
                <td>{date(v.createdAt)}</td>
                <td>
                  <button type="button" aria-label={t("history.open") + " " + v.file} onClick={() => {
                    setWizard({ id: v.id, entity: v.entity, file: new File([], v.file), config: { version: 1, entity: v.entity }, started: "" });
                    go(next(v));
                  }}>{t("history.open")}</button>
                  {ended(v.status) && !v.undone && c.session?.groups.includes("administrator") && (
                    <button type="button" aria-label={t("history.undo") + " " + v.file} onClick={() => go({ screen: "undo", id: v.id })}>{t("history.undo")}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && <button type="button" onClick={() => load(more)}>{t("history.more")}</button>}
    </Screen>
  );
}
