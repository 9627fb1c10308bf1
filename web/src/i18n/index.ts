import { en, type Key } from "./en";
import { it } from "./it";

// One catalogue per language; the locale formats numbers and dates.
const catalogues: Record<string, Record<Key, string>> = { en, it };
export const languages = [
  { code: "en", locale: "en-US", name: "English" },
  { code: "it", locale: "it-IT", name: "Italiano" },
];

let lang = "en";
let locale = "en-US";

/** setLanguage picks the catalogue and the locale the page formats in. */
export function setLanguage(code: string, browserLocale?: string) {
  lang = catalogues[code] ? code : "en";
  const l = languages.find((x) => x.code === lang)!;
  // The tenant's own locale when it speaks the same language (en-GB dates).
  locale = browserLocale && browserLocale.startsWith(lang) ? browserLocale : l.locale;
  document.documentElement.lang = lang;
}

export const language = () => lang;

export function t(key: Key, params: Record<string, string | number> = {}): string {
  const one = (key + ".one") as Key;
  const plural = params.n !== undefined && new Intl.PluralRules(locale).select(Number(params.n)) === "one" && one in en;
  const k = plural ? one : key;
  const s = catalogues[lang][k] ?? en[k] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, name) => {
    const v = params[name];
    return typeof v === "number" ? num(v) : v ?? "";
  });
}

export const num = (n: number) => new Intl.NumberFormat(locale).format(n);
export const date = (s: string | undefined) =>
  s ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(s)) : "";
export function bytes(n: number) {
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n) + " " + units[i];
}
export type { Key };
