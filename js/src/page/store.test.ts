import { describe, expect, it } from "vitest";
import { PageModel } from "./store";

interface T {
  a: number;
  b: number[];
  c: string;
}

describe("PageModel", () => {
  it("announces the front end's changes at once and hands them to the backend on save", async () => {
    const m = new PageModel<T>({ a: 1, b: [1], c: "" });
    const seen: string[] = [];
    const saved: (keyof T)[][] = [];
    m.backend = { changed: (keys) => saved.push(keys), message: () => undefined };
    m.on("change:a", () => seen.push(`a=${m.get("a")}`));
    m.on("change:b", () => seen.push("b"));
    m.set("a", 2);
    m.set("b", [1]); // deep-equal: no change
    m.set("b", [1, 2]);
    expect(seen).toEqual(["a=2", "b"]);
    m.save_changes();
    expect(saved).toEqual([]); // as a round trip to a kernel: later
    await new Promise((r) => setTimeout(r, 0));
    expect(saved).toEqual([["a", "b"]]);
  });

  it("sets all of a backend update before announcing any, in order, and skips equal values", () => {
    const m = new PageModel<T>({ a: 1, b: [], c: "x" });
    const seen: string[] = [];
    m.on("change:c", () => seen.push(`c sees a=${m.get("a")}`));
    m.on("change:a", () => seen.push("a"));
    m.update({ c: "y", a: 5, b: [] });
    expect(seen).toEqual(["c sees a=5", "a"]);
  });

  it("delivers replies to custom messages as DataViews", async () => {
    const m = new PageModel<T>({ a: 1, b: [], c: "" });
    m.backend = {
      changed: () => undefined,
      message: (content, reply) => reply({ echo: content.q }, [new Float32Array([1.5]).buffer]),
    };
    const got = new Promise<[unknown, DataView[]]>((r) => m.on("msg:custom", (c, b) => r([c, b])));
    m.send({ q: 7 });
    const [content, buffers] = await got;
    expect(content).toEqual({ echo: 7 });
    expect(buffers[0].getFloat32(0, true)).toBe(1.5);
  });
});
