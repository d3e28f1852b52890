/**
 * A widget model that lives in the page: the traits, their change events and the custom
 * messages that anywidget's model carries between the front end and the kernel. An exported
 * explorer has no kernel: a `Backend` in the page answers instead (see `backend.ts`).
 */

import type { WidgetModel } from "../types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => void;

/** What answers the front end: the kernel's side, computed in the page. */
export interface Backend<T> {
  /** The front end set these traits and saved them (as the kernel's observers see it). */
  changed(keys: (keyof T)[]): void;
  /** A custom message; `reply` sends the answer back (content and binary buffers). */
  message(content: Record<string, unknown>, reply: (content: Record<string, unknown>, buffers?: ArrayBuffer[]) => void): void;
}

/** Equal values (as Backbone's deep comparison would find them); binary data always differs. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return plain(a) && plain(b) && JSON.stringify(a) === JSON.stringify(b);
}

/** JSON-comparable (no binary data inside: those always count as changed). */
function plain(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return false;
  return Object.values(v as object).every(plain);
}

/** The in-page model: `get/set/on/off/save_changes/send` as anywidget's front end uses them. */
export class PageModel<T extends object> implements WidgetModel<T> {
  private readonly values: T;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly dirty = new Set<keyof T>();
  backend: Backend<T> | null = null;

  constructor(initial: T) {
    this.values = { ...initial };
  }

  get<K extends keyof T>(key: K): T[K] {
    return this.values[key];
  }

  /** The front end's change: stored and announced now, sent to the backend on save. */
  set<K extends keyof T>(key: K, value: T[K]): void {
    if (same(this.values[key], value)) return;
    this.values[key] = value;
    this.dirty.add(key);
    this.emit(`change:${String(key)}`);
  }

  save_changes(): void {
    const keys = [...this.dirty];
    this.dirty.clear();
    if (keys.length > 0) setTimeout(() => this.backend?.changed(keys), 0); // as a kernel round trip
  }

  /** The backend's change of several traits: all set first, then announced in order. */
  update(values: Partial<T>): void {
    const changed: string[] = [];
    for (const [key, value] of Object.entries(values) as [keyof T, T[keyof T]][]) {
      if (same(this.values[key], value)) continue;
      this.values[key] = value;
      changed.push(String(key));
    }
    for (const key of changed) this.emit(`change:${key}`);
  }

  send(content: Record<string, unknown>): void {
    setTimeout(() => {
      this.backend?.message(content, (reply, buffers = []) =>
        this.emit("msg:custom", reply, buffers.map((b) => new DataView(b))),
      );
    }, 0);
  }

  on(event: string, callback: Handler): void {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(callback);
  }

  off(event: string, callback: Handler): void {
    this.handlers.get(event)?.delete(callback);
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args);
  }
}
