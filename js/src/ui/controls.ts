/**
 * The explorer's selectors (layer, sample, timeline array, order, unit filter, show,
 * attribution) and notes: kernel traits shown in them, the user's choices sent back.
 */

import { options, type Parts, setViews } from "../core/dom";
import { predictionText } from "./tips";
import type { ExplorerModel, WidgetModel } from "../types";

export type SetTrait = <K extends keyof ExplorerModel>(key: K, value: ExplorerModel[K]) => void;

/** Set a trait and send it to the kernel. */
export function traitSetter(model: WidgetModel<ExplorerModel>): SetTrait {
  return (key, value) => {
    model.set(key, value);
    model.save_changes();
  };
}

export interface Controls {
  /** Show the traits in the controls, notes and prediction. */
  sync(): void;
  /** The model's prediction line (it says when an edited output is on its way). */
  drawPrediction(): void;
  dispose(): void;
}

export function mountControls(parts: Parts, model: WidgetModel<ExplorerModel>): Controls {
  const { layerSel, sampleIn, viewSel, orderSel, filterIn, compareSel, attrSel } = parts;
  const setTrait = traitSetter(model);

  function drawPrediction(): void {
    const pending = model.get("busy") !== "" && Object.keys(model.get("edits") ?? {}).length > 0;
    parts.prediction.textContent = predictionText(
      model.get("sample"),
      model.get("prediction"),
      model.get("edited_prediction"),
      pending,
    );
  }
  function sync(): void {
    options(layerSel, model.get("layers"));
    layerSel.value = model.get("layer");
    sampleIn.max = String(Math.max(0, model.get("n_samples") - 1));
    // what the user is typing is not overwritten by a kernel update arriving meanwhile
    if (document.activeElement !== sampleIn) sampleIn.value = String(model.get("sample"));
    setViews(viewSel, model.get("views"));
    viewSel.value = model.get("view");
    orderSel.value = model.get("order");
    if (document.activeElement !== filterIn) filterIn.value = model.get("unit_filter");
    parts.note.textContent = model.get("probe_note");
    parts.modelNote.textContent = model.get("model_note");
    parts.error.textContent = model.get("error");
    compareSel.value = model.get("compare");
    drawPrediction();
  }

  const onSample = (): void => {
    const v = Number(sampleIn.value);
    if (Number.isInteger(v) && v >= 0 && v < model.get("n_samples")) setTrait("sample", v);
  };
  const handlers: [EventTarget, string, EventListener][] = [
    [layerSel, "change", () => setTrait("layer", layerSel.value)],
    [sampleIn, "change", onSample],
    [sampleIn, "blur", () => (sampleIn.value = String(model.get("sample")))], // after change
    [viewSel, "change", () => setTrait("view", viewSel.value)],
    [orderSel, "change", () => setTrait("order", orderSel.value as ExplorerModel["order"])],
    [filterIn, "change", () => setTrait("unit_filter", filterIn.value)],
    [compareSel, "change", () => setTrait("compare", compareSel.value as ExplorerModel["compare"])],
    [attrSel, "change", () =>
      setTrait("attribution_method", attrSel.value as ExplorerModel["attribution_method"])],
  ];
  for (const [target, type, fn] of handlers) target.addEventListener(type, fn);
  return {
    sync,
    drawPrediction,
    dispose: () => {
      for (const [target, type, fn] of handlers) target.removeEventListener(type, fn);
    },
  };
}
