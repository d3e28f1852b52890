import { describe, expect, it } from "vitest";
import { isGate, labelOf, LSTM_ARRAYS } from "./arrays";
import { scaleFor } from "../draw/colormap";

describe("arrays of LSTM and GRU layers", () => {
  it("labels both kinds and knows their gates", () => {
    expect(LSTM_ARRAYS.map(labelOf)).toEqual([
      "input gate i", "forget gate f", "candidate g", "output gate o", "cell state c", "hidden h",
    ]);
    expect(["z", "r", "hh", "h"].map(labelOf)).toEqual(["update gate z", "reset gate r", "candidate h~", "hidden h"]);
    expect(["i", "f", "g", "o", "c", "h", "z", "r", "hh"].filter(isGate)).toEqual(["i", "f", "o", "z", "r"]);
    expect(labelOf("x")).toBe("x");
  });

  it("draws GRU gates on 0..1 and the candidate centred on 0", () => {
    const values = Float32Array.from([-0.5, 0.25]);
    expect(scaleFor("z", values)).toEqual({ kind: "sequential", lim: 1 });
    expect(scaleFor("r", values)).toEqual({ kind: "sequential", lim: 1 });
    expect(scaleFor("hh", values)).toEqual({ kind: "diverging", lim: 0.5 });
    expect(scaleFor("z", values, true)).toEqual({ kind: "diverging", lim: 0.5 }); // a difference
  });
});
