import type { Field, SiteConfig } from "../api";
import { language } from "../i18n";

export const fieldsOf = (site: SiteConfig, entity: string): Field[] =>
  site.entities.find((e) => e.name === entity)?.fields ?? [];

/** fieldTitle names a field as the template's titles do in the page's
 * language, with its storage name for the tenant who knows it. */
export function fieldTitle(fields: Field[], name: string): string {
  const f = fields.find((x) => x.name === name);
  const title = f?.titles[language()] ?? f?.titles.en;
  return title && title !== name ? `${title} (${name})` : name;
}
