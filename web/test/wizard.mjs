// The import wizard in headless Chromium (Debian's, driven by
// playwright-core), against the page the stack serves. Started by
// internal/e2e/web_test.go, which sets up the tenant and checks the table:
//
//   WEB_URL EMAIL PASSWORD FILE SHOTS SCENARIO=select|back OUT=result.json
//
// Every screen is checked with axe-core (no serious or critical finding)
// and photographed into SHOTS. OUT receives the summary as shown on the
// screen and the path of the downloaded error file.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const [url, email, password, file, shots, scenario, out] = ["WEB_URL", "EMAIL", "PASSWORD", "FILE", "SHOTS", "SCENARIO", "OUT"].map(env);
const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const LONG = Number(process.env.TIMEOUT_MS ?? 120_000);
mkdirSync(shots, { recursive: true });
// This scenario's pictures of an earlier run go; the others' stay.
for (const f of readdirSync(shots)) if (f.includes(`-${scenario}-`) || f.startsWith(`failed-${scenario}.`)) unlinkSync(join(shots, f));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // What works on this project's machines (no network but loopback).
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const findings = [];
let step = 0;
try {
  const context = await browser.newContext({ acceptDownloads: true, locale: "en-US", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(LONG);
  page.on("pageerror", (e) => console.error("page error:", e.message));
  page.on("console", (m) => m.type() === "error" && console.error("console:", m.text()));

  // check waits for a screen, runs axe on it and photographs it.
  const check = async (name, label = name, timeout = LONG) => {
    await page.locator(`[data-screen="${name}"][data-ready]`).waitFor({ timeout });
    await page.waitForLoadState("networkidle").catch(() => {});
    await page.addScriptTag({ path: axeSource });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    for (const v of result.violations) {
      if (v.impact === "serious" || v.impact === "critical") findings.push(`${label}: ${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
    step++;
    await page.screenshot({ path: join(shots, `${String(step).padStart(2, "0")}-${scenario}-${label}.png`), fullPage: true });
    console.log(`screen ${label}: ${result.violations.length} axe findings in all, ${result.passes.length} rules passed`);
  };

  try {
    await run(page, check);
  } catch (e) {
    // What the tenant would have seen when it went wrong.
    await page.screenshot({ path: join(shots, `failed-${scenario}.png`), fullPage: true }).catch(() => {});
    console.error("the page showed:\n" + (await page.innerText("body").catch(() => "")));
    throw e;
  }
} finally {
  await browser.close();
}
if (findings.length) {
  console.error("accessibility findings:\n" + findings.join("\n"));
  process.exit(1);
}

async function run(page, check) {
  await page.goto(url);
  await check("login");
  // By keyboard: type, Tab to the password, Enter to sign in.
  await page.getByLabel("E-mail").focus();
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await check("history");

  await page.getByRole("button", { name: "New import" }).click();
  await check("upload");
  await page.getByLabel("Records to import").selectOption("customers");
  if (scenario === "select") {
    await page.locator("#file").setInputFiles(file);
  } else {
    // Dropped on the page, as from the desktop.
    const bytes = readFileSync(file).toString("base64");
    const drop = await page.evaluateHandle((b64) => {
      const dt = new DataTransfer();
      const data = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      dt.items.add(new File([data], "customers.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
      return dt;
    }, bytes);
    await page.locator('[data-testid="drop"]').dispatchEvent("drop", { dataTransfer: drop });
    await page.getByText(/^Chosen: customers\.xlsx/).waitFor();
  }
  await page.getByRole("button", { name: "Upload and check" }).click();
  await check("report");

  if (scenario === "select") {
    // The column no field is known by becomes the revenue.
    await page.getByLabel("Field for column Sales figure").selectOption("revenue");
    await page.getByRole("button", { name: "Check the file again with these columns" }).click();
    // Read again, the column gives bo's second row its error.
    await page.getByRole("cell", { name: "lots", exact: true }).waitFor({ timeout: LONG });
    await check("report", "report-rechecked");
  }
  await page.getByRole("button", { name: "Next: settings" }).click();
  await check("settings");
  await page.locator('input[name="mode"][value="update"]').check();
  await page.locator('input[name="key"][value="customer_number"]').check();
  if (scenario === "select") await page.locator("#policy-revenue").selectOption("overwrite_if_greater");
  await page.getByRole("button", { name: "Next: choose the users" }).click();
  await check("selection");

  if (scenario === "select") {
    await page.getByLabel(/Import the rows of .*cara@demo\.example/).uncheck();
  }
  await page.getByRole("button", { name: "Next: preview" }).click();
  await check("preview");
  const firstUser = await page.locator("h1").innerText();

  if (scenario === "select") {
    await page.getByRole("button", { name: "Import", exact: true }).click();
    // The live progress shows while the first user's rows are applied; it
    // may be gone before it is caught, which is no failure.
    await check("progress", "progress", 5000).catch((e) => console.log("progress screen not caught:", e.message.split("\n")[0]));
    // The next user's preview, after the first one's rows are applied.
    await page.waitForFunction((first) => document.querySelector('[data-screen="preview"] h1')?.textContent?.startsWith("Preview for") && document.querySelector("h1").textContent !== first, firstUser, { timeout: LONG });
    await check("preview", "preview-second");
    await page.getByRole("button", { name: "Import all users" }).click();
  } else if (scenario === "undo") {
    // By keyboard: the focus on the decision, Enter.
    await page.getByRole("button", { name: "Import all users" }).focus();
    await page.keyboard.press("Enter");
  } else {
    await page.getByRole("button", { name: "Back" }).click();
    await check("settings", "settings-after-back");
    await page.locator("#policy-name").selectOption("keep");
    await page.getByRole("button", { name: "Continue with these settings" }).click();
    await check("preview", "preview-after-back");
    await page.getByRole("button", { name: "Import all users" }).click();
  }
  await check("summary");

  // The summary as the screen shows it: per user and in all.
  const summary = await page.$$eval('[data-testid="summary"] tr[data-user]', (rows) =>
    rows.map((r) => ({
      user: r.getAttribute("data-user"),
      counts: Object.fromEntries([...r.querySelectorAll("td[data-count]")].map((td) => [td.getAttribute("data-count"), Number(td.textContent.replace(/[^0-9]/g, ""))])),
    })));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the rows not imported (CSV)" }).click()]);
  const errorFile = join(shots, `${scenario}-errors.csv`);
  await download.saveAs(errorFile);

  await page.getByRole("button", { name: "Undo this import…" }).click();
  await check("undo", "undo-dry-run");
  if (scenario === "undo") {
    const undo = page.getByRole("button", { name: "Undo the import" });
    if (!(await undo.isDisabled())) throw new Error("the undo button is enabled before the confirmation is ticked");
    await page.getByLabel(/I understand that \d+ records change/).check();
    await undo.click();
    await page.getByText(/^Undone: /).waitFor();
    await check("undo", "undo-done");
  }

  await page.getByRole("button", { name: "Restore points" }).click();
  await check("restore");
  if (scenario === "undo") {
    // The restore's dry run, then cancelled: Restore now stays disabled
    // until the confirmation of what is lost is ticked.
    const plan = async () => {
      await page.getByRole("button", { name: /^Check what a restore would do: / }).first().click();
      await page.getByRole("button", { name: "Check what a restore would do", exact: true }).click();
      await page.getByRole("button", { name: "Restore now" }).waitFor();
    };
    await plan();
    await check("restore", "restore-ready");
    if (!(await page.getByRole("button", { name: "Restore now" }).isDisabled())) throw new Error("Restore now is enabled before the confirmation is ticked");
    await page.getByRole("button", { name: "Cancel the restore" }).click();
    await page.getByText(/^The restore ended: CANCELLED/).waitFor();
    // Again, confirmed: the restore runs to its end.
    await page.getByRole("button", { name: "Restore points" }).click();
    await plan();
    await page.getByRole("checkbox", { name: /I understand that .* records change and .* are lost/ }).check();
    await page.getByRole("button", { name: "Restore now" }).click();
    await page.getByText(/^The restore ended: SUCCEEDED/).waitFor({ timeout: 120000 });
    await check("restore", "restore-done");
  }

  // The Italian catalogue, on the import history.
  await page.getByLabel("Language").selectOption("it");
  await page.getByRole("button", { name: "Importazioni" }).click();
  await check("history", "history-it");

  writeFileSync(out, JSON.stringify({ summary, errorFile, findings }, null, 2));
}
