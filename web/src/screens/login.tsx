import { useState } from "preact/hooks";
import { ApiError } from "../api";
import { t } from "../i18n";
import { Screen } from "../ui";
import type { Ctx } from "../wizard";

/** Login signs in to the stack's Cognito pool, as `crmimport login` does. */
export function Login({ c, go }: Ctx) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <Screen title={t("login.title")} name="login">
      <p>{t("login.intro")}</p>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError("");
        try {
          await c.login(email, password);
          go({ screen: "history" });
        } catch (err) {
          setError(t("login.failed", { message: err instanceof ApiError ? err.message : String(err) }));
        } finally {
          setBusy(false);
        }
      }}>
        <label for="email">{t("login.email")}</label>
        <input id="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        <label for="password">{t("login.password")}</label>
        <input id="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{t("login.submit")}</button>
      </form>
    </Screen>
  );
}
