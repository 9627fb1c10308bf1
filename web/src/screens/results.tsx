import type { Counts } from "../api";
import { num, t, type Key } from "../i18n";

export const countKeys: (keyof Counts)[] = ["rows", "created", "updated", "unchanged", "deleted", "skipped", "invalid", "failed"];

/** CountsTable: one row per user and, when total is given, one for all. */
export function CountsTable(props: { rows: { user: string; status?: string; counts: Counts }[]; total?: Counts; testid: string }) {
  return (
    <table data-testid={props.testid}>
      <thead>
        <tr>
          <th scope="col">{t("selection.user")}</th>
          {props.rows.some((r) => r.status) && <th scope="col">{t("results.status")}</th>}
          {countKeys.map((k) => <th scope="col">{t(("counts." + k) as Key)}</th>)}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr data-user={r.user}>
            <th scope="row">{r.user}</th>
            {r.status && <td>{t(("userStatus." + r.status) as Key)}</td>}
            {countKeys.map((k) => <td class="num" data-count={k}>{num(r.counts[k] ?? 0)}</td>)}
          </tr>
        ))}
      </tbody>
      {props.total && (
        <tfoot>
          <tr data-user="">
            <th scope="row">{t("summary.total")}</th>
            {countKeys.map((k) => <td class="num" data-count={k}>{num(props.total![k] ?? 0)}</td>)}
          </tr>
        </tfoot>
      )}
    </table>
  );
}
