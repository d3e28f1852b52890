/**
 * The entry of an exported explorer (`explorer.save_html`): the same front end as in a
 * notebook, its model in the page (`store.ts`) and the kernel's answers computed in the page
 * (`backend.ts`) from the data embedded as `<script type="application/json" id="lstmw-data">`.
 * Built as `lstm_widget/static/page.js` (an IIFE, inlined into the file).
 */

import widget from "../widget";
import type { ExplorerModel } from "../types";
import { PageBackend } from "./backend";
import { decodeBlob, type SharedData } from "./shared";
import { PageModel } from "./store";

/** Mount the explorer described by the page's embedded data into `#lstmw-app`. */
export function boot(doc: Document = document): void {
  const host = doc.getElementById("lstmw-app");
  const script = doc.getElementById("lstmw-data");
  if (host === null || script === null) return;
  try {
    const data = JSON.parse(script.textContent ?? "") as SharedData;
    if (data.version !== 1) throw new Error(`data version ${String(data.version)}, this page reads 1`);
    const model = new PageModel<ExplorerModel>(data.traits as ExplorerModel);
    new PageBackend(model, data, decodeBlob(data.blob)).start();
    widget.render({ model, el: host });
    // the page's traits, for scripts and tests: `lstmwExplorer.get("edited_prediction")`
    (doc.defaultView as (Window & { lstmwExplorer?: unknown }) | null)!.lstmwExplorer = model;
  } catch (err) {
    host.textContent = `This explorer file could not be opened: ${(err as Error).message}`;
  }
}

boot();
