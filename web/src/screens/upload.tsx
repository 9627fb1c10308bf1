import { useEffect, useState } from "preact/hooks";
import type { ConfigSummary, Import, Report } from "../api";
import { bytes, language, t, type Key } from "../i18n";
import { Problem, Progress, Screen } from "../ui";
import { path, settle, type Config, type Ctx, type Wizard } from "../wizard";

/** startImport uploads the file with the settings as an inline
 * configuration, waits until the file has been read and returns the
 * import with its check report. */
export async function startImport(ctx: Ctx, entity: string, file: File, config: Config, progress: (sent: number, total: number) => void) {
  const v = await ctx.c.upload(entity, file, { inline: config }, progress);
  await settle(ctx.c, v.id);
  let report: Report | undefined;
  try {
    report = await ctx.c.get<Report>(path(v.id, "/report?limit=100"));
  } catch {
    // A file refused before it was read has no report: the reason says why.
  }
  ctx.setWizard({ id: v.id, entity, file, config, started: JSON.stringify(config), report });
}

/** recheck reads the file again under new settings: the import read
 * with the old ones takes no user (it ends with nothing written) and a new
 * one reads the same file, its report replacing the old. */
export async function recheck(ctx: Ctx, w: Wizard, config: Config) {
  const old = await ctx.c.get<Import>(path(w.id));
  if (old.waiting?.for === "selection") {
    const users = await ctx.c.get<{ users: { id: string }[] }>(path(w.id, "/users"));
    await ctx.c.post(path(w.id, "/selection"), { exclude: users.users.map((u) => u.id) }).catch(() => undefined);
  }
  await startImport(ctx, w.entity, w.file, config, () => undefined);
}

const entities = ["customers", "contacts", "companies", "leads", "deals", "products", "tasks", "appointments", "notes", "visit_reports", "users"];

/** Upload: what to import, the file (picker or drag and drop) and its
 * upload's progress, and the templates. */
export function Upload(ctx: Ctx) {
  const { c, go } = ctx;
  const [entity, setEntity] = useState("customers");
  const [configs, setConfigs] = useState<ConfigSummary[]>([]);
  const [configName, setConfigName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<[number, number] | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [over, setOver] = useState(false);
  const [tlang, setTlang] = useState(language());
  useEffect(() => {
    c.get<{ configs: ConfigSummary[] }>("/configs").then((r) => setConfigs(r.configs ?? []), setError);
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    try {
      let config: Config = { version: 1, entity };
      if (configName) config = await c.get<Config>("/configs/" + encodeURIComponent(configName));
      await startImport(ctx, entity, file, config, (s, total) => {
        setSent([s, total]);
        if (s >= total) setChecking(true);
      });
      go({ screen: "report" });
    } catch (err) {
      setError(err);
      setSent(null);
      setChecking(false);
    }
  };

  return (
    <Screen title={t("upload.title")} name="upload">
      <form onSubmit={submit}>
        <label for="entity">{t("upload.entity")}</label>
        <select id="entity" value={entity} onChange={(e) => { setEntity((e.target as HTMLSelectElement).value); setConfigName(""); }}>
          {entities.map((x) => <option value={x}>{t(("entity." + x) as Key)}</option>)}
        </select>
        <label for="config">{t("upload.config")}</label>
        <select id="config" value={configName} onChange={(e) => setConfigName((e.target as HTMLSelectElement).value)}>
          <option value="">{t("upload.configNone")}</option>
          {configs.filter((x) => x.entity === entity).map((x) => <option value={x.name}>{x.name}</option>)}
        </select>
        <label for="file">{t("upload.file")}</label>
        <input id="file" type="file" accept=".csv,.txt,.xlsx,.ods" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        <div class={"drop" + (over ? " over" : "")} data-testid="drop"
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => { e.preventDefault(); setOver(false); const f = e.dataTransfer?.files?.[0]; if (f) setFile(f); }}>
          {file ? t("upload.chosen", { name: file.name, size: bytes(file.size) }) : t("upload.drop")}
        </div>
        {sent && <Progress label={t("upload.progress")} value={sent[0]} max={sent[1]} text={t("upload.sent", { sent: bytes(sent[0]), total: bytes(sent[1]) })} />}
        {checking && <p aria-live="polite">{t("upload.checking")}</p>}
        <Problem error={error} />
        <button type="submit" class="primary" disabled={!file || !!sent}>{t("upload.submit")}</button>
      </form>
      <h2>{t("upload.templates")}</h2>
      <p>{t("upload.templatesIntro")}</p>
      <label for="tlang">{t("upload.templateLang")}</label>
      <select id="tlang" value={tlang} onChange={(e) => setTlang((e.target as HTMLSelectElement).value)}>
        {["en", "de", "fr", "it", "es", "pt", "pl", "sv"].map((l) => <option value={l}>{new Intl.DisplayNames([language()], { type: "language" }).of(l) ?? l}</option>)}
      </select>{" "}
      <button type="button" onClick={() => c.download(`/templates/${entity}?lang=${tlang}&format=xlsx`, `${entity}-${tlang}.xlsx`).catch(setError)}>{t("upload.templateXlsx")}</button>{" "}
      <button type="button" onClick={() => c.download(`/templates/${entity}?lang=${tlang}&format=csv`, `${entity}-${tlang}.csv`).catch(setError)}>{t("upload.templateCsv")}</button>
    </Screen>
  );
}

