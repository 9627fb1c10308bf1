import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "./api";
import { t } from "./i18n";

/** Screen is one step: its heading takes the focus, so a keyboard or
 * screen-reader user lands on the new step. */
export function Screen(props: { title: string; name: string; ready?: boolean; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => h.current?.focus(), [props.name]);
  return (
    <section data-screen={props.name} data-ready={props.ready === false ? undefined : "true"} aria-busy={props.ready === false} aria-labelledby="screen-title">
      <h1 id="screen-title" tabIndex={-1} ref={h}>{props.title}</h1>
      {props.children}
    </section>
  );
}

export function Progress(props: { label: string; value: number; max: number; text?: string }) {
  const max = Math.max(props.max, 1);
  return (
    <div class="progress">
      <progress aria-label={props.label} value={Math.min(props.value, max)} max={max}></progress>
      {props.text && <span aria-live="polite">{props.text}</span>}
    </div>
  );
}

export function Problem(props: { error: unknown }) {
  if (!props.error) return null;
  const e = props.error;
  const message = e instanceof ApiError || e instanceof Error ? e.message : String(e);
  return <p role="alert" class="error">{t("common.error", { message })}</p>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
