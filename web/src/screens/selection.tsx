import { useEffect, useState } from "preact/hooks";
import type { Users } from "../api";
import { num, t } from "../i18n";
import { Problem, Screen } from "../ui";
import { next, path, settle, type Ctx } from "../wizard";

/** Selection: every user found with their rows and a checkbox, and the
 * values that matched no user with their counts. */
export function Selection({ c, go, wizard }: Ctx) {
  const w = wizard!;
  const [users, setUsers] = useState<Users | null>(null);
  const [off, setOff] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    settle(c, w.id).then((v) => v.waiting?.for === "selection" ? c.get<Users>(path(w.id, "/users")).then(setUsers) : go(next(v))).catch(setError);
  }, [w.id]);

  return (
    <Screen title={t("selection.title")} name="selection" ready={!!users}>
      <Problem error={error} />
      {!users ? <p>{t("common.loading")}</p> : (
        <>
          <p>{t("selection.intro")}</p>
          <table>
            <thead><tr><th scope="col">{t("selection.user")}</th><th scope="col">{t("selection.rows")}</th></tr></thead>
            <tbody>
              {users.users.map((u) => {
                const who = u.name ? `${u.name} <${u.email}>` : u.email;
                return (
                  <tr key={u.id} data-user={u.email}>
                    <td>
                      <label class="choice">
                        <input type="checkbox" checked={!off.has(u.id)} aria-label={t("selection.include", { user: who })}
                          onChange={(e) => {
                            const s = new Set(off);
                            if ((e.target as HTMLInputElement).checked) s.delete(u.id); else s.add(u.id);
                            setOff(s);
                          }} /> {who}
                      </label>
                    </td>
                    <td class="num">{num(u.rows)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>{t("selection.unmatched")}</h2>
          {(users.unmatched?.length ?? 0) === 0 ? <p>{t("selection.noneUnmatched")}</p> : (
            <table class="unmatched">
              <thead><tr><th scope="col">{t("selection.value")}</th><th scope="col">{t("selection.rows")}</th></tr></thead>
              <tbody>{users.unmatched!.map((x) => <tr><td>{x.value}</td><td class="num">{num(x.rows)}</td></tr>)}</tbody>
            </table>
          )}
          {users.unassigned > 0 && <p>{t("selection.unassigned", { n: users.unassigned })}</p>}
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={async () => {
              setBusy(true);
              try {
                await c.post(path(w.id, "/selection"), { exclude: [...off] });
                go(next(await settle(c, w.id)));
              } catch (e) {
                setError(e);
                setBusy(false);
              }
            }}>{t("selection.next")}</button>
          </div>
        </>
      )}
    </Screen>
  );
}
