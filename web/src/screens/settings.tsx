import { useEffect, useState } from "preact/hooks";
import type { ConfigSummary } from "../api";
import { t, type Key } from "../i18n";
import { Problem, Screen } from "../ui";
import { next, path, settle, type Config, type Ctx } from "../wizard";
import { fieldTitle, fieldsOf } from "./fields";
import { recheck } from "./upload";

const modes = ["add", "update", "update_only", "update_delete"];
const MAX_KEYS = 8;

/** Settings: mode, key fields, per-field policies and the agent column;
 * save, load, download and upload them. After Back (resume) only what
 * needs no new reading of the rows may change, and the import goes on
 * with them. */
export function Settings(ctx: Ctx & { resume?: boolean }) {
  const { c, go, wizard, setWizard, resume } = ctx;
  const w = wizard!;
  const cfg = w.config;
  const set = (patch: Partial<Config>) => setWizard({ ...w, config: { ...cfg, ...patch } });
  const [configs, setConfigs] = useState<ConfigSummary[]>([]);
  const [load, setLoad] = useState("");
  const [name, setName] = useState("");
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    c.get<{ configs: ConfigSummary[] }>("/configs").then((r) => setConfigs((r.configs ?? []).filter((x) => x.entity === w.entity)), setError);
  }, []);

  const fields = fieldsOf(c.site, w.entity);
  const mode = cfg.mode ?? "add";
  const keys = cfg.key_fields ?? [];
  const policies = cfg.policies ?? {};
  const columns = w.report?.mapping.map((m) => m.title) ?? [];
  const keysProblem = keys.length > MAX_KEYS ? t("settings.keysTooMany") : mode !== "add" && keys.length === 0 ? t("settings.keysNeeded") : "";

  const toggleKey = (f: string, on: boolean) => set({ key_fields: on ? [...keys, f] : keys.filter((k) => k !== f) });
  const setPolicy = (f: string, p: string) => {
    const ps = { ...policies };
    if (p === "overwrite") delete ps[f]; else ps[f] = p;
    set({ policies: ps });
  };
  const act = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try { await f(); } catch (e) { setError(e); } finally { setBusy(false); }
  };

  const goOn = () => act(async () => {
    if (resume) {
      await c.post(path(w.id, "/resume"), { action: "continue", inlineConfig: cfg });
      setWizard({ ...w, started: JSON.stringify(cfg) });
      go(next(await settle(c, w.id)));
      return;
    }
    // The import reads its rows once: other settings, another reading.
    if (JSON.stringify(cfg) !== w.started) await recheck(ctx, w, cfg);
    go({ screen: "selection" });
  });

  return (
    <Screen title={t("settings.title")} name="settings">
      {resume && <p>{t("settings.resumeIntro")}</p>}
      <Problem error={error} />
      <fieldset>
        <legend>{t("settings.mode")}</legend>
        {modes.map((m) => (
          <label class="choice"><input type="radio" name="mode" value={m} checked={mode === m} onChange={() => set({ mode: m })} /> {t(("mode." + m) as Key)}</label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t("settings.keys")}</legend>
        <div class="grid">
          {fields.map((f) => (
            <label class="choice"><input type="checkbox" name="key" value={f.name} checked={keys.includes(f.name)}
              disabled={!keys.includes(f.name) && keys.length >= MAX_KEYS}
              onChange={(e) => toggleKey(f.name, (e.target as HTMLInputElement).checked)} /> {fieldTitle(fields, f.name)}</label>
          ))}
        </div>
        {keysProblem && <p class="error" role="alert">{keysProblem}</p>}
      </fieldset>
      <fieldset>
        <legend>{t("settings.policies")}</legend>
        <div class="grid">
          {fields.map((f) => {
            const id = "policy-" + f.name;
            const greater = ["number", "date", "datetime"].includes(f.type);
            return (
              <div class="field">
                <label for={id}>{t("settings.policyFor", { field: fieldTitle(fields, f.name) })}</label>
                <select id={id} value={policies[f.name] ?? "overwrite"} onChange={(e) => setPolicy(f.name, (e.target as HTMLSelectElement).value)}>
                  <option value="overwrite">{t("policy.overwrite")}</option>
                  <option value="keep">{t("policy.keep")}</option>
                  <option value="fill_empty">{t("policy.fill_empty")}</option>
                  {greater && <option value="overwrite_if_greater">{t("policy.overwrite_if_greater")}</option>}
                </select>
              </div>
            );
          })}
        </div>
      </fieldset>
      {!resume && w.entity !== "users" && (
        <fieldset>
          <legend>{t("settings.agent")}</legend>
          <label for="agent-column">{t("settings.agent")}</label>
          <select id="agent-column" value={cfg.assignment?.column ?? ""} onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            const { assignment: _, ...rest } = cfg;
            setWizard({ ...w, config: v ? { ...rest, assignment: { column: v, by: cfg.assignment?.by ?? "email" } } as Config : rest as Config });
          }}>
            <option value="">{t("settings.agentNone")}</option>
            {columns.map((x) => <option value={x}>{x}</option>)}
          </select>
          <label for="agent-by">{t("settings.agentBy")}</label>
          <select id="agent-by" disabled={!cfg.assignment} value={cfg.assignment?.by ?? "email"}
            onChange={(e) => set({ assignment: { column: cfg.assignment!.column, by: (e.target as HTMLSelectElement).value } })}>
            <option value="email">{t("by.email")}</option>
            <option value="employee_number">{t("by.employee_number")}</option>
            <option value="name">{t("by.name")}</option>
          </select>
        </fieldset>
      )}
      <fieldset>
        <legend>{t("settings.saveAs")}</legend>
        <label for="save-name">{t("settings.saveAs")}</label>
        <input id="save-name" value={name} pattern="[A-Za-z0-9._\-]{1,64}" onInput={(e) => setName((e.target as HTMLInputElement).value)} />{" "}
        <button type="button" disabled={!name || busy} onClick={() => act(async () => {
          await c.call("PUT", "/configs/" + encodeURIComponent(name), cfg);
          setSaved(t("settings.saved", { name }));
        })}>{t("settings.save")}</button>
        {saved && <span aria-live="polite"> {saved}</span>}
        <br />
        <label for="load-name">{t("settings.load")}</label>
        <select id="load-name" value={load} onChange={(e) => setLoad((e.target as HTMLSelectElement).value)}>
          <option value="">—</option>
          {configs.map((x) => <option value={x.name}>{x.name}</option>)}
        </select>{" "}
        <button type="button" disabled={!load || busy} onClick={() => act(async () => set(await c.get<Config>("/configs/" + encodeURIComponent(load))))}>{t("settings.loadButton")}</button>
        <br />
        <button type="button" onClick={() => {
          const a = document.createElement("a");
          a.href = URL.createObjectURL(new Blob([JSON.stringify(cfg, null, 2) + "\n"], { type: "application/json" }));
          a.download = (name || w.entity) + ".json";
          a.click();
        }}>{t("settings.download")}</button>{" "}
        <label for="config-file">{t("settings.uploadFile")}</label>
        <input id="config-file" type="file" accept=".json,application/json" onChange={(e) => act(async () => {
          const f = (e.target as HTMLInputElement).files?.[0];
          if (f) set(JSON.parse(await f.text()));
        })} />
      </fieldset>
      {busy && <p aria-live="polite">{resume ? t("common.loading") : t("settings.rechecking")}</p>}
      <div class="actions">
        {resume ? (
          <>
            <button type="button" disabled={busy} onClick={() => act(async () => {
              await c.post(path(w.id, "/resume"), { action: "stop" });
              go(next(await settle(c, w.id)));
            })}>{t("settings.stop")}</button>
            <button type="button" class="primary" disabled={busy || !!keysProblem} onClick={goOn}>{t("settings.continue")}</button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => go({ screen: "report" })}>{t("common.back")}</button>
            <button type="button" class="primary" disabled={busy || !!keysProblem} onClick={goOn}>{t("settings.next")}</button>
          </>
        )}
      </div>
    </Screen>
  );
}
