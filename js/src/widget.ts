/**
 * Front end of lstm-widget (anywidget ESM module).
 *
 * The explorer view is built up in later modules; this entry point renders the
 * layer summary the kernel sends and returns a cleanup function, as anywidget expects.
 */

/** Traits mirrored from `lstm_widget.LSTMExplorer` (Python side). */
export interface ExplorerModel {
  layer: string;
  summary: string;
}

/** The subset of anywidget's model API this module uses. */
export interface AnyModel<T> {
  get<K extends keyof T>(key: K): T[K];
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
}

function render({ model, el }: { model: AnyModel<ExplorerModel>; el: HTMLElement }): () => void {
  const pre = document.createElement("pre");
  pre.className = "lstm-widget-summary";
  const update = (): void => {
    pre.textContent = model.get("summary");
  };
  update();
  el.appendChild(pre);
  model.on("change:summary", update);
  return () => {
    model.off("change:summary", update);
    pre.remove();
  };
}

export default { render };
