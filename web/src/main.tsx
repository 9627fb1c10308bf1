import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Client, type SiteConfig } from "./api";
import { languages, setLanguage, language, t } from "./i18n";
import type { Nav, Wizard } from "./wizard";
import { Login } from "./screens/login";
import { History } from "./screens/history";
import { Upload } from "./screens/upload";
import { ReportScreen } from "./screens/report";
import { Settings } from "./screens/settings";
import { Selection } from "./screens/selection";
import { PreviewScreen } from "./screens/preview";
import { ProgressScreen } from "./screens/progress";
import { SummaryScreen } from "./screens/summary";
import { RestorePoints } from "./screens/restore";
import { UndoScreen } from "./screens/undo";

function App(props: { client: Client }) {
  const c = props.client;
  const [lang, setLang] = useState(language());
  const [nav, go] = useState<Nav>(c.session ? { screen: "history" } : { screen: "login" });
  const [wizard, setWizard] = useState<Wizard | null>(null);
  useEffect(() => {
    document.title = t("app.title");
  }, [lang]);

  if (!c.session && nav.screen !== "login") go({ screen: "login" });
  const ctx = { c, go, wizard, setWizard };
  let body;
  switch (nav.screen) {
    case "login": body = <Login {...ctx} />; break;
    case "history": body = <History {...ctx} />; break;
    case "upload": body = <Upload {...ctx} />; break;
    case "report": body = <ReportScreen {...ctx} />; break;
    case "settings": body = <Settings {...ctx} resume={nav.resume} />; break;
    case "selection": body = <Selection {...ctx} />; break;
    case "preview": body = <PreviewScreen {...ctx} />; break;
    case "progress": body = <ProgressScreen {...ctx} />; break;
    case "summary": body = <SummaryScreen {...ctx} />; break;
    case "restore": body = <RestorePoints {...ctx} />; break;
    case "undo": body = <UndoScreen {...ctx} id={nav.id!} />; break;
  }
  return (
    <>
      <a class="skip" href="#main">{t("app.skip")}</a>
      <header>
        <span class="brand">{t("app.title")}</span>
        {c.session && (
          <nav aria-label={t("nav.label")}>
            <button type="button" onClick={() => go({ screen: "history" })}>{t("nav.history")}</button>
            <button type="button" onClick={() => { setWizard(null); go({ screen: "upload" }); }}>{t("nav.new")}</button>
            {c.session.groups.includes("administrator") && (
              <button type="button" onClick={() => go({ screen: "restore" })}>{t("nav.restore")}</button>
            )}
          </nav>
        )}
        <label class="lang">
          {t("app.language")}{" "}
          <select value={lang} onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            setLanguage(v, navigator.language);
            localStorage.setItem("crm-import-lang", v);
            setLang(v);
          }}>
            {languages.map((l) => <option value={l.code}>{l.name}</option>)}
          </select>
        </label>
        {c.session && (
          <span class="who">
            {t("app.signedInAs", { email: c.session.email })}{" "}
            <button type="button" onClick={() => { c.logout(); go({ screen: "login" }); }}>{t("app.signOut")}</button>
          </span>
        )}
      </header>
      <main id="main" key={lang}>{body}</main>
    </>
  );
}

async function start() {
  const site: SiteConfig = await (await fetch("./config.json")).json();
  const saved = localStorage.getItem("crm-import-lang");
  setLanguage(saved ?? navigator.language.slice(0, 2), navigator.language);
  render(<App client={new Client(site)} />, document.getElementById("app")!);
}

start();
