// The tenant API, as internal/apiclient calls it: the ID token of the
// stack's Cognito pool (InitiateAuth USER_PASSWORD_AUTH) as a bearer token,
// errors {"code","message"} in the tenant's words.

export type Field = { name: string; type: string; required?: boolean; titles: Record<string, string> };
export type Entity = { name: string; fields: Field[] };
export type SiteConfig = { clientId: string; region: string; cognitoUrl: string; entities: Entity[] };

export type Counts = {
  rows: number; invalid: number; created: number; updated: number; unchanged: number;
  deleted: number; skipped: number; failed: number;
};
export type User = { id: string; email: string; name?: string; rows: number; status?: string };
export type Waiting = { for: "selection" | "decision" | "resume"; user?: User; since: string; expiresAt: string };
export type UndoState = {
  status?: string; done?: number; total?: number; deleted?: number; restored?: number; conflicts?: number;
  by?: string; at?: string; forced?: boolean; endedAt?: string; reason?: string;
};
export type Import = {
  id: string; entity: string; file: string; status: string; reason?: string; users: number; counts: Counts;
  done: number; total: number; attended: boolean; waiting?: Waiting; createdAt: string; updatedAt: string;
  finishedAt?: string; undone?: { at: string; by?: string; deleted: number; restored: number; conflicts: number };
  undo?: UndoState;
};
export type Column = { index: number; title: string; field?: string; how: string };
export type RowError = { row?: number; column?: string; field?: string; value?: string; reason: string };
export type Report = {
  format: string; encoding?: string; delimiter?: string; sheet?: string; rows: number; rowsWithErrors: number;
  mapping: Column[]; unmapped: string[] | null; warnings: string[] | null; missing: string[] | null;
  errors: RowError[] | null; total: number; errorCount: number; offset: number; limit: number; nextOffset?: number;
};
export type Users = { users: User[]; unmatched: { value: string; rows: number }[] | null; unassigned: number };
export type Change = { field: string; old: string; new: string };
export type PlannedRow = { row: number; action: string; id?: string; changes?: Change[]; reason?: string; errors?: RowError[] };
export type Preview = {
  user: User; counts: { create: number; update: number; unchanged: number; delete: number; skip: number; errors: number };
  matched: number; sample: PlannedRow[] | null; rows: PlannedRow[] | null; total: number; nextOffset?: number;
};
export type Result = { user: User; status: string; counts: Counts };
export type Summary = {
  id: string; status: string; reason?: string; counts: Counts;
  users: { id: string; email: string; rows: number; counts: Counts }[]; hasErrorFile: boolean;
};
export type ConfigSummary = { name: string; entity: string; mode: string };
export type RestorePoint = { import: string; file: string; entity: string; status: string; time: string; kind: string };
export type Restore = {
  id: string; restorePoint: string; time: string; users: string[]; status: string; putBack: number; deleted: number;
  unchanged: number; editsLost: number; importsSince: string[]; done: number; total: number; reason?: string;
};
export type UndoConflict = { user: string; entity: string; id: string; now: Record<string, string> | null; undo: Record<string, string> | null; reason: string };
export type Undo = {
  importId: string; dryRun: boolean; forced: boolean; deleted: number; restored: number; already: number;
  conflictsTotal: number; conflicts: UndoConflict[] | null; undo?: UndoState;
};

/** ApiError is an answer other than 2xx: its status and the API's words. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

type Session = { idToken: string; refreshToken: string; expires: number; email: string; groups: string[] };

const SESSION = "crm-import-session";

/** Client calls the API the page was served by (its /app/ stripped). */
export class Client {
  base: string;
  session: Session | null;

  constructor(public site: SiteConfig) {
    this.base = location.href.replace(/\/app\/.*$/, "").replace(/\/app$/, "");
    const s = sessionStorage.getItem(SESSION);
    this.session = s ? JSON.parse(s) : null;
  }

  async login(email: string, password: string): Promise<void> {
    const out = await this.cognito({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: this.site.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } });
    this.keep(out, out.AuthenticationResult.RefreshToken);
  }

  logout() {
    this.session = null;
    sessionStorage.removeItem(SESSION);
  }

  private keep(out: any, refresh: string) {
    const r = out.AuthenticationResult;
    const claims = JSON.parse(atob(r.IdToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    this.session = {
      idToken: r.IdToken, refreshToken: refresh, expires: Date.now() + (r.ExpiresIn - 60) * 1000,
      email: claims.email ?? claims["cognito:username"], groups: claims["cognito:groups"] ?? [],
    };
    sessionStorage.setItem(SESSION, JSON.stringify(this.session));
  }

  private async cognito(body: unknown): Promise<any> {
    const res = await fetch(this.site.cognitoUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth" },
      body: JSON.stringify(body),
    });
    const out = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, out.__type ?? "login", out.message ?? out.Message ?? "");
    return out;
  }

  /** token renews the ID token with the refresh token when it expired. */
  private async token(): Promise<string> {
    if (!this.session) throw new ApiError(401, "unauthorized", "");
    if (Date.now() > this.session.expires) {
      const out = await this.cognito({ AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: this.site.clientId, AuthParameters: { REFRESH_TOKEN: this.session.refreshToken } });
      this.keep(out, this.session.refreshToken);
    }
    return this.session!.idToken;
  }

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: "Bearer " + (await this.token()) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) {
      const e = await res.json().catch(() => ({}));
      if (res.status === 401) this.logout();
      throw new ApiError(res.status, e.code ?? String(res.status), e.message ?? res.statusText);
    }
    return res;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.raw(method, path, body)).json();
  }

  get<T>(path: string) { return this.call<T>("GET", path); }
  post<T>(path: string, body: unknown) { return this.call<T>("POST", path, body); }

  /** download fetches a file of the API and hands it to the browser. */
  async download(path: string, name: string) {
    const blob = await (await this.raw("GET", path)).blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  /**
   * upload creates the import (POST /imports) and sends the file with the
   * presigned POST it answers: every field, then the file as the last
   * part. XMLHttpRequest, not fetch: only it reports upload progress.
   */
  async upload(entity: string, file: File, config: { name?: string; inline?: unknown }, progress: (sent: number, total: number) => void): Promise<Import> {
    const created = await this.post<{ import: Import; upload: { url: string; fields: Record<string, string> | [string, string][] } }>("/imports", {
      entity, fileName: file.name, size: file.size,
      ...(config.name ? { config: config.name } : {}), ...(config.inline ? { inlineConfig: config.inline } : {}),
    });
    const form = new FormData();
    const fields = created.upload.fields;
    for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) form.append(k, v);
    form.append("file", file);
    await new Promise<void>((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open("POST", created.upload.url);
      x.upload.onprogress = (e) => progress(e.loaded, e.total);
      x.onload = () => (x.status < 300 ? resolve() : reject(new ApiError(x.status, "upload", x.responseText)));
      x.onerror = () => reject(new ApiError(0, "upload", ""));
      x.send(form);
    });
    return created.import;
  }
}

export const ended = (s: string) => ["SUCCEEDED", "FAILED", "STOPPED", "EXPIRED"].includes(s);
