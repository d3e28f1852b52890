/**
 * Scoped styles: every rule sits under `.lstmw`. Colours come from JupyterLab's theme
 * (`--jp-*`); elsewhere from `--lstmw-*` of the same name where a page sets them (an exported
 * file's light and dark looks), else a light default.
 */

export const CSS = `
.lstmw {
  font-family: var(--jp-ui-font-family, var(--lstmw-ui-font-family, sans-serif));
  font-size: var(--jp-ui-font-size1, var(--lstmw-ui-font-size1, 13px));
  color: var(--jp-ui-font-color1, var(--lstmw-ui-font-color1, #222));
  background: var(--jp-layout-color0, var(--lstmw-layout-color0, #fff));
  padding: 6px;
  outline: none;
  position: relative;
  box-sizing: border-box;
  width: 100%;
}
.lstmw:focus-visible { box-shadow: 0 0 0 1px var(--jp-brand-color1, var(--lstmw-brand-color1, #1976d2)); }
.lstmw-note {
  background: var(--jp-warn-color3, var(--lstmw-warn-color3, #fff3cd));
  color: var(--jp-ui-font-color1, var(--lstmw-ui-font-color1, #222));
  border-left: 3px solid var(--jp-warn-color1, var(--lstmw-warn-color1, #f0ad4e));
  padding: 4px 8px;
  margin-bottom: 6px;
}
.lstmw-error { color: var(--jp-error-color1, var(--lstmw-error-color1, #c62828)); margin-bottom: 6px; }
.lstmw-model-note { color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666)); margin-bottom: 6px; }
.lstmw-model-note:empty { display: none; }
.lstmw-info { display: flex; justify-content: space-between; align-items: center; gap: 8px; min-height: 1.7em; }
.lstmw-busy {
  display: flex; gap: 8px; align-items: center;
  color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666));
}
.lstmw-busy[hidden] { display: none; }
.lstmw-busy progress { width: 120px; height: 8px; accent-color: var(--jp-brand-color1, var(--lstmw-brand-color1, #1976d2)); }
.lstmw-note:empty, .lstmw-error:empty { display: none; }
.lstmw-controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin-bottom: 6px; }
.lstmw-controls label { display: inline-flex; gap: 4px; align-items: center; }
.lstmw select, .lstmw input, .lstmw button {
  font: inherit;
  color: var(--jp-ui-font-color1, var(--lstmw-ui-font-color1, #222));
  background: var(--jp-layout-color1, var(--lstmw-layout-color1, #fff));
  border: 1px solid var(--jp-border-color1, var(--lstmw-border-color1, #bbb));
  border-radius: 2px;
  padding: 1px 4px;
}
.lstmw input[type="number"] { width: 5em; }
.lstmw-filter { width: 11em; }
.lstmw input[type="range"], .lstmw input[type="checkbox"] {
  accent-color: var(--jp-brand-color1, var(--lstmw-brand-color1, #1976d2)); border: none; background: transparent; padding: 0; margin: 0;
}
.lstmw-status, .lstmw-attr-note { color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666)); }
.lstmw-prediction { font-family: var(--jp-code-font-family, var(--lstmw-code-font-family, monospace)); }
.lstmw-stack { position: relative; }
.lstmw canvas { display: block; }
.lstmw-overlay { position: absolute; left: 0; top: 0; cursor: ew-resize; touch-action: none; }
.lstmw-axis {
  position: relative; height: 18px; overflow: hidden;
  border-top: 1px solid var(--jp-border-color2, var(--lstmw-border-color2, #ddd));
  color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666));
  font-size: 11px; line-height: 16px; white-space: pre;
}
.lstmw-axis-title { position: absolute; left: 4px; top: 1px; }
.lstmw-axis { cursor: col-resize; touch-action: none; }
.lstmw-brush {
  position: absolute; top: 0; bottom: 0; display: none; pointer-events: none;
  background: var(--jp-brand-color3, var(--lstmw-brand-color3, rgba(25, 118, 210, 0.25))); opacity: 0.6;
}
.lstmw-zoom[hidden] { display: none; }
.lstmw-tick { position: absolute; top: 2px; transform: translateX(-50%); }
.lstmw-token {
  transform: none; overflow: hidden; text-overflow: ellipsis; text-align: center;
  box-sizing: border-box; padding: 0 1px; color: var(--jp-ui-font-color1, var(--lstmw-ui-font-color1, #222));
}
.lstmw-tick::before {
  content: ""; position: absolute; left: 50%; top: -3px; height: 3px;
  border-left: 1px solid var(--jp-border-color1, var(--lstmw-border-color1, #bbb));
}
.lstmw-legend {
  display: flex; flex-wrap: wrap; align-items: center; gap: 2px 8px; margin: 2px 0 6px;
  color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666)); font-size: 11px;
}
.lstmw-legend-bar { border: 1px solid var(--jp-border-color2, var(--lstmw-border-color2, #ddd)); }
.lstmw-legend-title { color: var(--jp-ui-font-color1, var(--lstmw-ui-font-color1, #222)); }
.lstmw-legend-masked:empty, .lstmw-legend-range:empty { display: none; }
.lstmw-lines { margin-top: 6px; }
.lstmw-lines[hidden] { display: none; }
.lstmw-lines-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; margin-bottom: 2px; }
.lstmw-lines-keys { display: inline-flex; gap: 8px; font-family: var(--jp-code-font-family, var(--lstmw-code-font-family, monospace)); }
.lstmw-lines-note { color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666)); }
.lstmw-similar { margin-top: 4px; }
.lstmw-similar[hidden] { display: none; }
.lstmw-similar-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; }
.lstmw-threshold { width: 5em; }
.lstmw-similar-note { color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666)); }
.lstmw-hits { max-height: 9em; overflow-y: auto; display: flex; flex-direction: column; align-items: flex-start; }
.lstmw-hit { border: none; background: none; padding: 1px 4px; cursor: pointer; color: var(--jp-content-link-color, var(--lstmw-content-link-color, #1976d2)); font: inherit; }
.lstmw-editor { margin: 4px 0 6px; }
.lstmw-editor summary { cursor: pointer; color: var(--jp-ui-font-color2, var(--lstmw-ui-font-color2, #666)); }
.lstmw-gates {
  display: grid; grid-template-columns: 4em repeat(3, minmax(0, 1fr)) auto auto;
  gap: 3px 10px; align-items: center; margin: 4px 0; max-width: 900px;
}
.lstmw-gate-row { display: contents; }
.lstmw-gate-name { font-weight: 600; }
.lstmw-gates label { display: flex; gap: 4px; align-items: center; min-width: 0; white-space: nowrap; }
.lstmw-gates input[type="range"] { flex: 1 1 auto; min-width: 40px; width: 0; }
.lstmw-readout { font-family: var(--jp-code-font-family, var(--lstmw-code-font-family, monospace)); width: 3.5em; flex: none; }
.lstmw-tooltip {
  position: absolute;
  pointer-events: none;
  background: var(--jp-layout-color2, var(--lstmw-layout-color2, #eee));
  color: var(--jp-ui-font-color0, var(--lstmw-ui-font-color0, #000));
  border: 1px solid var(--jp-border-color1, var(--lstmw-border-color1, #bbb));
  padding: 2px 6px;
  font-family: var(--jp-code-font-family, var(--lstmw-code-font-family, monospace));
  white-space: pre;
  display: none;
  z-index: 10;
}
.lstmw-units-set { margin-top: 4px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.lstmw-unit-menu {
  position: absolute;
  z-index: 11;
  background: var(--jp-layout-color1, var(--lstmw-layout-color1, #fff));
  color: var(--jp-ui-font-color1, var(--lstmw-ui-font-color1, #222));
  border: 1px solid var(--jp-border-color1, var(--lstmw-border-color1, #bbb));
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.25);
  padding: 4px 6px;
}
.lstmw-unit-menu-title { font-weight: 600; margin-bottom: 4px; }
.lstmw-unit-menu-row { display: flex; gap: 4px; align-items: center; margin: 2px 0; }
.lstmw-unit-menu-row input[type="number"] { width: 5em; }
.lstmw-unit-menu-row input[type="range"] { width: 8em; }
`;
