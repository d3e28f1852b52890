import { describe, expect, it } from "vitest";
import { type CustomHandler, Requester } from "./rpc";

class FakeComm {
  sent: Record<string, unknown>[] = [];
  handlers = new Set<CustomHandler>();
  send(content: Record<string, unknown>): void {
    this.sent.push(content);
  }
  on(_event: "msg:custom", h: CustomHandler): void {
    this.handlers.add(h);
  }
  off(_event: "msg:custom", h: CustomHandler): void {
    this.handlers.delete(h);
  }
  reply(content: unknown, buffers: DataView[] = []): void {
    for (const h of this.handlers) h(content, buffers);
  }
}

describe("Requester", () => {
  it("matches replies to requests by id, in any order", async () => {
    const comm = new FakeComm();
    const rpc = new Requester(comm);
    const a = rpc.request({ type: "window", start: 0 });
    const b = rpc.request({ type: "window", start: 10 });
    expect(comm.sent.map((m) => m.id)).toEqual([1, 2]);
    const buf = new DataView(new ArrayBuffer(4));
    comm.reply({ type: "window", id: 2, start: 10 }, [buf]);
    comm.reply({ type: "window", id: 1, start: 0 });
    expect((await b).content.start).toBe(10);
    expect((await b).buffers[0]).toBe(buf);
    expect((await a).content.start).toBe(0);
    expect(rpc.waiting).toBe(0);
  });

  it("rejects on error replies and on dispose, and ignores strangers", async () => {
    const comm = new FakeComm();
    const rpc = new Requester(comm);
    const a = rpc.request({ type: "window" });
    comm.reply({ type: "window", id: 99 });
    comm.reply("not an object");
    comm.reply({ type: "error", id: 1, message: "sample must be in 0..2" });
    await expect(a).rejects.toThrow("sample must be in 0..2");
    const b = rpc.request({ type: "window" });
    rpc.dispose();
    await expect(b).rejects.toThrow("widget closed");
    expect(comm.handlers.size).toBe(0);
  });
});
