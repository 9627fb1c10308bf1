import type { Client, Import, Report } from "./api";
import { ended } from "./api";

/** Config is an import configuration (testdata/configs/README.md). */
export type Config = {
  version: 1;
  entity: string;
  mode?: string;
  key_fields?: string[];
  policies?: Record<string, string>;
  mapping?: Record<string, string>;
  assignment?: { column: string; by: string };
  [k: string]: unknown;
};

/** Wizard is the import being walked through: its file (kept, so that a
 * change of the mapping can check it again), the settings being edited and
 * those the import runs with. */
export type Wizard = {
  id: string;
  entity: string;
  file: File;
  config: Config;
  started: string;
  report?: Report;
};

export type Screen =
  | "login" | "history" | "upload" | "report" | "settings" | "selection"
  | "preview" | "progress" | "summary" | "restore" | "undo";
export type Nav = { screen: Screen; resume?: boolean; id?: string };

export type Ctx = {
  c: Client;
  go: (n: Nav) => void;
  wizard: Wizard | null;
  setWizard: (w: Wizard | null) => void;
};

/** next is the screen an import asks for now. */
export function next(v: Import): Nav {
  if (v.status === "WAITING" && v.waiting) {
    if (v.waiting.for === "selection") return { screen: "selection" };
    if (v.waiting.for === "decision") return { screen: "preview" };
    return { screen: "settings", resume: true };
  }
  if (ended(v.status)) return { screen: "summary" };
  return { screen: "progress" };
}

/** follow polls the import until it waits for the tenant or has ended. */
export async function settle(c: Client, id: string, onTick?: (v: Import) => void): Promise<Import> {
  for (;;) {
    const v = await c.get<Import>("/imports/" + encodeURIComponent(id));
    onTick?.(v);
    if ((v.status === "WAITING" && v.waiting) || ended(v.status)) return v;
    await new Promise((r) => setTimeout(r, 700));
  }
}

export const path = (id: string, route = "") => "/imports/" + encodeURIComponent(id) + route;
