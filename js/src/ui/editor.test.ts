import { describe, expect, it } from "vitest";
import { LatestWins, normalize } from "./editor";
import type { EditsTrait } from "../types";
import { splitEdits } from "./units";

describe("normalize", () => {
  it("drops neutral fields and gates", () => {
    expect(normalize({ forget: { kernel_scale: 1, recurrent_scale: 1, bias_shift: 0 } })).toEqual({});
    expect(normalize({ input: { kernel_scale: 0.5, bias_shift: 0, units: [2] } })).toEqual({
      input: { kernel_scale: 0.5, units: [2] },
    });
  });

  it("keeps only the layer's gates: a GRU's update, reset, candidate", () => {
    const gru = ["update", "reset", "candidate"];
    const edits = { update: { bias_shift: 1 }, forget: { bias_shift: 1 }, candidate: { kernel_scale: 0.5 } };
    expect(normalize(edits, gru)).toEqual({ update: { bias_shift: 1 }, candidate: { kernel_scale: 0.5 } });
    expect(normalize(edits)).toEqual({ forget: { bias_shift: 1 } });
  });
});

describe("LatestWins", () => {
  it("sends at once when idle, then only the newest held edit", () => {
    let version = 0;
    let done = 0;
    const sent: [EditsTrait, number][] = [];
    const lw = new LatestWins(
      () => ({ version, done }),
      (e, v) => {
        sent.push([e, v]);
        version = v;
      },
    );
    lw.offer({ forget: { bias_shift: 0.1 } });
    lw.offer({ forget: { bias_shift: 0.2 } }); // kernel busy: held
    lw.offer({ forget: { bias_shift: 0.3 } }); // replaces 0.2
    expect(sent).toEqual([[{ forget: { bias_shift: 0.1 } }, 1]]);
    done = 1;
    lw.finished();
    expect(sent.map(([e, v]) => [splitEdits(e).gates.forget?.bias_shift, v])).toEqual([
      [0.1, 1],
      [0.3, 2],
    ]);
    done = 2;
    lw.finished(); // nothing held: nothing sent
    expect(sent.length).toBe(2);
  });
});
