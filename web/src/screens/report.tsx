import { useEffect, useState } from "preact/hooks";
import type { Import, Report } from "../api";
import { num, t } from "../i18n";
import { Problem, Screen } from "../ui";
import { path, type Ctx } from "../wizard";
import { fieldTitle, fieldsOf } from "./fields";
import { samples } from "../samples";
import { recheck } from "./upload";

const encodings = ["utf-8", "utf-16le", "utf-16be", "windows-1252", "windows-1250", "iso-8859-1", "iso-8859-2", "iso-8859-15"];

/** ReportScreen is the check report: every column with its field (to
 * change or ignore) and sample values, what is unmapped or missing, and
 * the row errors, paged. */
export function ReportScreen(ctx: Ctx) {
  const { c, go, wizard, setWizard, } = ctx;
  const w = wizard!;
  const [report, setReport] = useState<Report | undefined>(w.report);
  const [job, setJob] = useState<Import | null>(null);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [sample, setSample] = useState<string[][]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    c.get<Import>(path(w.id)).then(setJob, setError);
    setOffset(0);
    if (w.file.size > 0) samples(w.file).then(setSample, () => setSample([]));
  }, [w.id]);
  useEffect(() => setReport(w.report), [w.id]);
  useEffect(() => {
    if (offset === 0 && w.report) return;
    c.get<Report>(path(w.id, `/report?offset=${offset}&limit=100`)).then(setReport, setError);
  }, [offset]);

  const fields = fieldsOf(c.site, w.entity);
  const mapping = w.config.mapping ?? {};
  const setMapping = (title: string, field: string) => {
    const m = { ...mapping };
    if (field === "") delete m[title];
    else m[title] = field;
    setWizard({ ...w, config: { ...w.config, mapping: m } });
  };
  const changed = JSON.stringify(w.config.mapping ?? {}) !== JSON.stringify(JSON.parse(w.started || "{}").mapping ?? {}) ||
    (w.config.encoding ?? "") !== (JSON.parse(w.started || "{}").encoding ?? "");

  return (
    <Screen title={t("report.title", { file: w.file.name })} name="report">
      <Problem error={error} />
      {job?.status === "FAILED" && <p role="alert" class="error">{t("report.failed", { reason: job.reason ?? "" })}</p>}
      {report && (
        <>
          <dl class="facts">
            <dt>{t("report.format")}</dt><dd>{report.format}</dd>
            {report.format === "csv" && (
              <>
                <dt><label for="encoding">{t("report.encoding")}</label></dt>
                <dd>
                  <select id="encoding" value={(w.config.encoding as string) ?? ""} onChange={(e) => {
                    const v = (e.target as HTMLSelectElement).value;
                    const cfg = { ...w.config };
                    if (v) cfg.encoding = v; else delete cfg.encoding;
                    setWizard({ ...w, config: cfg });
                  }}>
                    <option value="">{t("report.encodingDetect")}{report.encoding ? ` (${report.encoding})` : ""}</option>
                    {encodings.map((x) => <option value={x}>{x}</option>)}
                  </select>
                </dd>
              </>
            )}
            {report.sheet && <><dt>{t("report.sheet")}</dt><dd>{report.sheet}</dd></>}
            <dt>{t("report.rows")}</dt><dd>{num(report.rows)}</dd>
            <dt>{t("report.rowsWithErrors")}</dt><dd>{num(report.rowsWithErrors)}</dd>
          </dl>
          <h2>{t("report.columns")}</h2>
          <table class="mapping">
            <thead><tr><th scope="col">{t("report.column")}</th><th scope="col">{t("report.field")}</th><th scope="col">{t("report.sample")}</th></tr></thead>
            <tbody>
              {report.mapping.map((col) => {
                const chosen = mapping[col.title] ?? "";
                const unmapped = !col.field && !chosen;
                return (
                  <tr key={col.index} class={unmapped ? "flag" : ""} data-column={col.title}>
                    <th scope="row">{col.title}{unmapped && <span class="badge"> ⚠</span>}</th>
                    <td>
                      <select aria-label={t("report.fieldFor", { title: col.title })} value={chosen}
                        onChange={(e) => setMapping(col.title, (e.target as HTMLSelectElement).value)}>
                        <option value="">{col.field ? fieldTitle(fields, col.field) : "—"}</option>
                        <option value="ignore">{t("report.ignore")}</option>
                        {fields.map((f) => <option value={f.name}>{fieldTitle(fields, f.name)}</option>)}
                      </select>
                    </td>
                    <td class="sample">{sample.map((r) => r[col.index]).filter((x) => x).slice(0, 3).join(" · ")}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {(report.unmapped?.length ?? 0) > 0 && <p class="warn">⚠ {t("report.unmapped", { titles: report.unmapped!.join(", ") })}</p>}
          {(report.missing?.length ?? 0) > 0 && <p class="error">⚠ {t("report.missing", { fields: report.missing!.map((f) => fieldTitle(fields, f)).join(", ") })}</p>}
          {(report.warnings?.length ?? 0) > 0 && (
            <>
              <h2>{t("report.warnings")}</h2>
              <ul>{report.warnings!.map((x) => <li>{x}</li>)}</ul>
            </>
          )}
          <h2>{t("report.errors")}</h2>
          {(report.errors?.length ?? 0) === 0 ? <p>{t("report.noErrors")}</p> : (
            <>
              <table>
                <thead><tr><th scope="col">{t("report.row")}</th><th scope="col">{t("report.column")}</th><th scope="col">{t("report.value")}</th><th scope="col">{t("report.reason")}</th></tr></thead>
                <tbody>
                  {report.errors!.map((e) => <tr><td>{e.row ? num(e.row) : ""}</td><td>{e.column}</td><td>{e.value}</td><td>{e.reason}</td></tr>)}
                </tbody>
              </table>
              <p>{t("common.rowsShown", { from: report.offset + 1, to: report.offset + report.errors!.length, total: report.total })}</p>
              <div class="pager">
                <button type="button" disabled={report.offset === 0} onClick={() => setOffset(Math.max(0, report.offset - report.limit))}>{t("common.previous")}</button>
                <button type="button" disabled={report.nextOffset == null} onClick={() => setOffset(report.nextOffset!)}>{t("common.next")}</button>
              </div>
            </>
          )}
        </>
      )}
      {changed && <p class="note" aria-live="polite">{t("report.changed")}</p>}
      {busy && <p aria-live="polite">{t("settings.rechecking")}</p>}
      <div class="actions">
        <button type="button" onClick={() => go({ screen: "upload" })}>{t("common.back")}</button>
        {changed && w.file.size > 0 ? (
          <button type="button" class="primary" disabled={busy} onClick={async () => {
            setBusy(true);
            try { await recheck(ctx, w, w.config); } catch (e) { setError(e); } finally { setBusy(false); }
          }}>{t("report.recheck")}</button>
        ) : (
          <button type="button" class="primary" disabled={job?.status === "FAILED"} onClick={() => go({ screen: "settings" })}>{t("report.next")}</button>
        )}
      </div>
    </Screen>
  );
}
