// One analysed image: its worker (which keeps the wasm handle) and the figures it sent back.
// Each image gets its own worker, so cancelling one (terminating its worker: a busy worker
// reads no messages) leaves the other intact.
import type { FromWorker, Opened, Snapshot, ToWorker } from "./types";

export class Session {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  data!: Opened;

  private constructor(private worker: Worker) {}

  /** Analyse `file`; `onProgress` sees the core's snapshots. Rejects with the core's message. */
  static open(
    file: Blob,
    name: string,
    onProgress: (s: Snapshot) => void,
    started: (cancel: () => void) => void,
  ): Promise<Session> {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    const session = new Session(worker);
    return new Promise((resolve, reject) => {
      started(() => {
        worker.terminate();
        reject(new Error("cancelled"));
      });
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(e.message || "the analysis worker failed"));
      };
      worker.onmessage = (ev: MessageEvent<FromWorker>) => {
        const m = ev.data;
        if (m.op === "progress") onProgress(m.snap);
        else if (m.op === "opened") {
          session.data = m.data;
          worker.onmessage = (e: MessageEvent<FromWorker>) => session.receive(e.data);
          resolve(session);
        } else if (m.op === "error") {
          worker.terminate();
          reject(new Error(m.message));
        }
      };
      worker.postMessage({ op: "open", file, name } satisfies ToWorker);
    });
  }

  private receive(m: FromWorker) {
    if (m.op !== "result") return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.value);
  }

  /** Call a method of the wasm handle in the worker. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ op: "call", id, method, args } satisfies ToWorker);
    });
  }

  close(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error("closed"));
    this.pending.clear();
  }
}
