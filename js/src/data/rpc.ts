/** Request/response over the widget's custom messages, matched by id. */

/** What `model.on("msg:custom", ...)` delivers. */
export type CustomHandler = (content: unknown, buffers: DataView[]) => void;

/** The part of the anywidget model used for messages. */
export interface MessageModel {
  send(content: Record<string, unknown>, callbacks?: unknown, buffers?: ArrayBuffer[]): void;
  on(event: "msg:custom", handler: CustomHandler): void;
  off(event: "msg:custom", handler: CustomHandler): void;
}

/** A reply: its JSON content and binary buffers. */
export interface Reply {
  content: Record<string, unknown>;
  buffers: DataView[];
}

/** Sends requests with ids; resolves or rejects when the kernel answers that id. */
export class Requester {
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private readonly handler: CustomHandler;

  constructor(private readonly model: MessageModel) {
    this.handler = (content, buffers) => this.receive(content, buffers);
    model.on("msg:custom", this.handler);
  }

  /** Send `payload` (a `type` and fields) and wait for the reply with the same id. */
  request(payload: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.model.send({ ...payload, id });
    });
  }

  /** Number of requests still waiting. */
  get waiting(): number {
    return this.pending.size;
  }

  private receive(content: unknown, buffers: DataView[]): void {
    if (typeof content !== "object" || content === null) return;
    const msg = content as Record<string, unknown>;
    const id = typeof msg.id === "number" ? msg.id : -1;
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    if (msg.type === "error") entry.reject(new Error(String(msg.message)));
    else entry.resolve({ content: msg, buffers });
  }

  /** Stop listening; pending requests are rejected. */
  dispose(): void {
    this.model.off("msg:custom", this.handler);
    for (const { reject } of this.pending.values()) reject(new Error("widget closed"));
    this.pending.clear();
  }
}
