/**
 * LSTMExplorer front end (anywidget ESM module): a scrubbable timeline of one LSTM array
 * (units x time) under the layer input, and per-unit bars of all gates and states at the
 * playhead. Heavy data stays in the kernel: the timeline draws the `overview` trait, the
 * bars draw full-resolution windows fetched by request.
 */

import { drawStrip as drawAttributionStrip } from "./draw/attribution";
import { drawAxis, drawMasked, drawRowLabels } from "./draw/timeline";
import { mountLegend } from "./draw/legend";
import { decode } from "./core/codec";
import { scaleFor } from "./draw/colormap";
import { blit, toPixels } from "./draw/heatmap";
import { mountInteraction } from "./ui/interaction";
import { follow, inputColumns, rangeColumns } from "./core/range";
import { mountZoom } from "./ui/zoom";
import { mountLines, toggleUnit } from "./ui/lines";
import { mountSimilar } from "./ui/similar";
import { mountControls, traitSetter } from "./ui/controls";
import { mountPlay } from "./ui/play";
import { drawOverlay as drawQueryOverlay, mountQuery } from "./ui/query";
import { drawPanels, GUTTER, ROW_HEIGHT } from "./draw/panels";
import { labelOf } from "./core/arrays";
import { mountBusy } from "./ui/busy";
import { type Editor, mountEditor } from "./ui/editor";
import { mountUnitMenu } from "./ui/units";
import { Requester } from "./data/rpc";
import { valuesAt, Windows } from "./data/windows";
import { buildParts, sizeCanvas } from "./core/dom";
import { placeTip, stepSuffix, stepText, timelineText } from "./ui/tips";
import { parseFilter, shownUnits } from "./core/units";
import type { ExplorerModel, NDArray, Range, WidgetModel } from "./types";
import { FIRST_WINDOW_STEPS } from "./data/windows";
import { mountSync } from "./ui/sync";

function render({ model, el: host }: { model: WidgetModel<ExplorerModel>; el: HTMLElement }): () => void {
  performance.mark("lstmw-render-start");
  let firstPaint = true;
  const parts = buildParts(host);
  const { root, error, attrSel, playBtn, zoomBtn, status, base, overlay, strip, attrNote, panels, tooltip } = parts;
  const pickedUnits = (): number[] | null => {
    const picked = parseFilter(model.get("unit_filter"), model.get("n_units"));
    return typeof picked === "string" ? null : picked;
  };
  const editor = (): Editor => mountEditor(model, parts.editorSlot, pickedUnits, model.get("gates"));
  let edits = editor();
  const onGates = (): void => {
    edits.unmount(); // another kind of layer: its gates' sliders
    edits = editor();
  };
  // right-click on a unit: set it inside the recurrence (an LSTM's c or h, a GRU's h)
  const unitMenu = mountUnitMenu(
    root,
    () => (model.get("views").includes("c") ? ["c", "h"] : ["h"]),
    (unit, array, value) => edits.setUnit(unit, array, value),
  );
  /** The shown layer's arrays in window order (an LSTM's or a GRU's). */
  const views = (): readonly string[] => model.get("views");
  // the view's state: declared before the parts below, which read it as soon as they mount
  let ov: NDArray | null = null;
  let ovInput: NDArray | null = null;
  let shown: number[] = [];
  let step = 0;
  let range: Range = { start: 0, stop: 0 }; // the steps shown across the timeline
  let width = 600;
  let inputH = 0;
  let unitsH = 0;
  const windows = new Windows(
    new Requester(model),
    () => ({ layer: model.get("layer"), sample: model.get("sample"), steps: steps(), step, range }),
    () => onWindow(),
    (message) => {
      error.textContent = message;
    },
  );
  const setTrait = traitSetter(model);
  const sync = mountSync(
    { step: () => step, range: () => range, steps: () => steps() },
    { step: () => model.get("step"), range: () => model.get("visible_range") ?? [] },
    setTrait,
  );
  const controls = mountControls(parts, model);
  const busy = mountBusy(parts.busySlot);
  const legend = mountLegend(parts.legendSlot);
  const lines = mountLines(parts.linesSlot, tooltip, (t, ev) => placeTip(tooltip, root, t, ev), {
    range: () => range,
    window: () => windows.current,
    step: () => step,
    width: () => width,
    selected: () => model.get("selected_units"),
    stepText: (s) => stepText(s, model.get("labels"), model.get("overview").masked ?? []),
    clear: () => setTrait("selected_units", []),
    color: () => textColor(),
    views,
  });
  /** The range Shift-dragged over the timeline (the kernel keeps it), or null. */
  const queryRange = (): Range | null => {
    const q = model.get("query_range") ?? [];
    return q.length === 2 ? { start: q[0], stop: q[1] } : null;
  };
  const similar = mountSimilar(parts.linesSlot, {
    selected: () => model.get("selected_units"),
    range: () => range,
    query: queryRange,
    clearQuery: () => setTrait("query_range", []),
    sample: () => model.get("sample"),
    find: (start, stop, units, threshold) =>
      model.send({ type: "find", sample: model.get("sample"), start, stop, units, threshold }),
    show: showHit,
  });
  similar.update(model.get("pattern") ?? {}); // a search made before this view existed
  const query = mountQuery(overlay, {
    range: () => range,
    plotWidth: () => width - GUTTER,
    select: (start, stop) =>
      model.send({ type: "query", sample: model.get("sample"), start, stop, threshold: similar.threshold() }),
    redraw: () => drawOverlay(),
  });
  /** A hit's range (with some context) and first step, applied once its sample is shown. */
  let pendingHit: { range: Range; step: number } | null = null;

  // canvas text takes the colours the theme gives the widget's text (JupyterLab's or a page's)
  const textColor = (): string => getComputedStyle(root).color || "#222";
  const secondaryColor = (): string => getComputedStyle(status).color || "#666";
  const steps = (): number => model.get("n_steps");
  /** Showing edited − baseline: every array is signed. */
  const differing = (): boolean =>
    model.get("compare") === "difference" && Object.keys(model.get("edits") ?? {}).length > 0;

  const stepValues = (): Float32Array[] | null => valuesAt(windows.current, step, views().length);

  function computeShown(): void {
    const vals = stepValues();
    const atStep = vals?.[views().indexOf(model.get("view"))] ?? null;
    const order = model.get("order");
    const effect = model.get("unit_effect") ?? [];
    const got = shownUnits(model.get("unit_filter"), model.get("n_units"), order, ov, atStep, effect);
    shown = got.units;
    error.textContent = got.problem === null ? model.get("error") : `units: ${got.problem}`;
  }

  function drawBase(): void {
    if (root.clientWidth > 0) width = Math.max(200, root.clientWidth - 12); // hidden: keep
    const feats = ovInput?.shape[0] ?? 0;
    inputH = feats > 0 ? Math.min(90, Math.max(24, feats * 6)) : 0;
    unitsH = Math.min(320, Math.max(80, shown.length * 4));
    const h = inputH + unitsH + (inputH > 0 ? 4 : 0);
    const ctx = sizeCanvas(base, width, h);
    sizeCanvas(overlay, width, h);
    if (ctx === null) return;
    ctx.clearRect(0, 0, width, h);
    ctx.fillStyle = textColor();
    ctx.font = "11px var(--jp-ui-font-family, sans-serif)";
    ctx.textBaseline = "middle";
    const plotW = width - GUTTER;
    if (ovInput !== null && inputH > 0) {
      const rows = Array.from({ length: feats }, (_, k) => k);
      const cols = inputColumns(range, steps(), ovInput, windows.current);
      blit(ctx, toPixels(cols.data, cols.cols, rows, scaleFor("c", ovInput.data)), GUTTER, 0, plotW, inputH);
      if (inputH / feats >= 12) drawRowLabels(ctx, model.get("feature_names"), 0, inputH, secondaryColor());
      else ctx.fillText("layer input", 4, inputH / 2);
    }
    if (ov !== null) {
      const top = inputH > 0 ? inputH + 4 : 0;
      const view = model.get("view");
      const o = model.get("overview");
      const scale = scaleFor(view, ov.data, differing(), o.range ?? []);
      const cols = rangeColumns(range, steps(), ov, windows.current, views().indexOf(view));
      blit(ctx, toPixels(cols.data, cols.cols, shown, scale), GUTTER, top, plotW, unitsH);
      ctx.fillText(labelOf(view), 4, top + unitsH / 2);
      drawRowLabels(ctx, shown.map(String), top, unitsH, secondaryColor());
      legend.update({ title: labelOf(view), scale, range: o.range ?? [], masked: o.masked ?? [] });
    }
    drawMasked(ctx, model.get("overview").masked ?? [], range, width, h);
    drawAxis(parts.axis, root, range, width, model.get("labels"), model.get("label_kind"));
    const zoomed = range.stop - range.start < steps();
    zoomBtn.hidden = !zoomed;
    zoomBtn.textContent = `reset zoom (steps ${range.start}–${range.stop - 1})`;
    drawOverlay();
    drawStrip();
    similar.draw();
  }

  function drawStrip(): void {
    attrSel.value = model.get("attribution_method");
    drawAttributionStrip(strip, attrNote, model.get("attribution"), width, range, steps(), textColor());
  }

  function drawOverlay(): void {
    const band = query.dragging() ?? queryRange();
    drawQueryOverlay(overlay, width, inputH + unitsH + 4, band, range, step, textColor());
  }

  function drawStep(): void {
    const ctx = sizeCanvas(panels, width, views().length * ROW_HEIGHT);
    if (ctx !== null) drawPanels(ctx, width, views(), stepValues(), shown, textColor(), differing());
    const loading = stepValues() === null ? " (loading values…)" : "";
    const suffix = stepSuffix(step, model.get("labels"), model.get("overview").masked ?? []);
    status.textContent = `step ${step} of ${steps()}${suffix}${loading}`;
    lines.draw();
  }

  /** A window arrived: draw its exact values (a zoomed timeline redraws from it). */
  function onWindow(): void {
    const zoomed = range.stop - range.start < steps();
    if (model.get("order") === "activity" || zoomed) refresh();
    else drawStep();
    if (firstPaint) {
      firstPaint = false;
      performance.mark("lstmw-ready"); // timeline and step values drawn (benchmarks read it)
    }
  }

  function setStep(next: number, report: boolean): void {
    const n = steps();
    step = Math.min(Math.max(0, n - 1), Math.max(0, Math.round(next)));
    const moved = follow(range, step, n); // the playhead stays in view
    const panned = moved.start !== range.start;
    range = moved;
    windows.ensure();
    if (model.get("order") === "activity" || panned) {
      computeShown();
      drawBase();
    } else {
      drawOverlay();
    }
    drawStep();
    if (report) sync.step();
    if (panned) sync.range();
  }

  function refresh(): void {
    const o = model.get("overview");
    ov = o.data ? decode(o.data) : null;
    ovInput = o.input && o.input.shape[0] > 0 ? decode(o.input) : null;
    computeShown();
    drawBase();
    drawStep();
  }

  /** Zoom to `next` (the zoom controls call this); the playhead moves into it. */
  function showRange(next: Range): void {
    range = next;
    if (step < range.start || step >= range.stop) {
      step = Math.min(range.stop - 1, Math.max(range.start, step));
      sync.step();
    }
    sync.range();
    windows.ensure();
    refresh();
  }

  /** Show a "find similar" hit: its sample, zoomed to its steps with context around them. */
  function showHit(sample: number, start: number, stop: number): void {
    const pad = Math.max(5, stop - start);
    const hit = { range: { start: Math.max(0, start - pad), stop: Math.min(steps(), stop + pad) }, step: start };
    if (sample !== model.get("sample")) {
      pendingHit = hit;
      setTrait("sample", sample); // the new overview applies the hit
      return;
    }
    showRange(hit.range);
    setStep(hit.step, true);
  }

  function onData(): void {
    windows.reset();
    controls.sync();
    const n = steps();
    const hit = pendingHit !== null && pendingHit.range.stop <= n ? pendingHit : null;
    pendingHit = null;
    if (hit !== null) range = hit.range; // a hit of "find similar"
    if (range.stop > n || range.stop <= range.start) range = { start: 0, stop: n }; // else keep the zoom
    step = Math.min(hit?.step ?? model.get("step"), Math.max(0, n - 1));
    if (hit !== null) sync.step();
    range = follow(range, step, n);
    sync.range();
    refresh();
    performance.mark("lstmw-overview-drawn"); // a new overview is on screen (benchmarks read it)
    windows.ensure(FIRST_WINDOW_STEPS);
  }

  // -- interaction ------------------------------------------------------------------------
  const unmountInteraction = mountInteraction(parts, {
    geometry: () => ({ width, inputH, unitsH, shown, step, steps: steps(), range }),
    values: stepValues,
    views,
    timelineTip: (x, y) =>
      ov === null
        ? null
        : timelineText(x, y, {
            width,
            steps: steps(),
            overview: ov,
            input: ovInput,
            exact: model.get("overview").exact === true,
            inputH,
            unitsH,
            shown,
            view: model.get("view"),
            views: views(),
            window: windows.current,
            featureNames: model.get("feature_names"),
            range,
            labels: model.get("labels"),
            masked: model.get("overview").masked ?? [],
          }),
    where: () => stepText(step, model.get("labels"), model.get("overview").masked ?? []),
    setStep: (next) => setStep(next, true),
    selectUnit: (unit, add) => setTrait("selected_units", toggleUnit(model.get("selected_units"), unit, add)),
    unitMenu: (unit, ev) => unitMenu.open(unit, ev),
    togglePlay: () => play.toggle(),
  });
  const onLayout = (): void => {
    computeShown();
    drawBase();
    drawStep();
  };
  const onBusy = (): void => {
    busy.state.update(model.get("busy"));
    controls.drawPrediction(); // it says when an edited output is on its way
  };
  const onStepTrait = (): void => {
    if (model.get("step") !== step) setStep(model.get("step"), false);
  };

  const play = mountPlay(playBtn, { step: () => step, range: () => range, setStep: (next) => setStep(next, true) });
  const unmountZoom = mountZoom(overlay, parts.axis, zoomBtn, {
    range: () => range,
    steps,
    plotWidth: () => width - GUTTER,
    show: showRange,
  });
  const traits: [string, () => void][] = [
    ["change:overview", onData],
    ["change:order", onLayout],
    ["change:unit_effect", onLayout],
    ["change:unit_filter", onLayout],
    ["change:step", onStepTrait],
    ["change:probe_note", controls.sync],
    ["change:error", controls.sync],
    ["change:prediction", controls.drawPrediction],
    ["change:edited_prediction", controls.drawPrediction],
    ["change:attribution", drawStrip],
    ["change:busy", onBusy],
    ["change:model_note", controls.sync],
    ["change:labels", onLayout],
    ["change:label_kind", onLayout],
    ["change:selected_units", () => {
      lines.draw();
      similar.draw();
    }],
    ["change:pattern", () => similar.update(model.get("pattern"))],
    ["change:query_range", () => {
      drawOverlay();
      similar.draw();
    }],
    ["change:gates", onGates],
    ["change:views", controls.sync],
  ];
  for (const [event, fn] of traits) model.on(event, fn);
  let resizeFrame = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => {
      if (root.clientWidth > 0 && Math.abs(root.clientWidth - 12 - width) > 1) onLayout();
    });
  });
  observer.observe(root);
  // JupyterLab switches themes by changing CSS variables: canvases need a redraw.
  const themeWatch = new MutationObserver(() => onLayout());
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name"] });

  onData();

  return () => {
    unmountInteraction();
    for (const [event, fn] of traits) model.off(event, fn);
    observer.disconnect();
    themeWatch.disconnect();
    play.dispose();
    controls.dispose();
    cancelAnimationFrame(resizeFrame);
    sync.dispose();
    windows.dispose();
    unmountZoom();
    lines.dispose();
    similar.dispose();
    query.dispose();
    busy.dispose();
    edits.unmount();
    unitMenu.unmount();
    root.remove();
  };
}

export default { render };
