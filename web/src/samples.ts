// samples reads the first rows of the tenant's file in the browser, for
// the check report's sample values (the API's report holds none): CSV by
// a plain split, XLSX with read-excel-file (a maintained reader of
// workbooks in the browser). ODS shows none.
import { readSheet } from "read-excel-file/browser";

const ROWS = 4;

export async function samples(file: File): Promise<string[][]> {
  const name = file.name.toLowerCase();
  if (name.endsWith(".xlsx")) {
    const rows = await readSheet(file);
    return rows.slice(1, 1 + ROWS).map((r: unknown[]) => r.map((x) => (x instanceof Date ? x.toISOString().slice(0, 10) : x == null ? "" : String(x))));
  }
  if (name.endsWith(".csv") || name.endsWith(".txt")) {
    const text = await file.slice(0, 64 * 1024).text();
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("sep="));
    const head = lines[0] ?? "";
    const delim = [";", "\t", "|", ","].map((d) => [d, head.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
    return lines.slice(1, 1 + ROWS).map((l) => l.split(delim).map((x) => x.replace(/^"|"$/g, "")));
  }
  return [];
}
