/**
 * Webview side of the protocol (src/protocol.ts): typed requests with promised responses, commands,
 * notification handlers, and the webview's persisted state (getState/setState).
 */
import { isWireMessage, type CommandType, type NotificationType, type ParamsOf, type RequestType, type ResultOf, type WireMessage } from '../src/protocol';

export interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export class WebviewChannel<S> {
  private readonly api: VsCodeApi<S>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor(api?: VsCodeApi<S>) {
    this.api = api ?? acquireVsCodeApi<S>();
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data));
  }

  request<T extends RequestType<unknown, unknown>>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ kind: 'request', id, method: type.method, params } satisfies WireMessage);
    });
  }

  command<T extends CommandType<unknown>>(type: T, params: ParamsOf<T>): void {
    this.api.postMessage({ kind: 'command', method: type.method, params } satisfies WireMessage);
  }

  /** Handles a notification; returns the function that stops handling it (a controller that goes away). */
  on<T extends NotificationType<unknown>>(type: T, handler: (params: ParamsOf<T>) => void): () => void {
    this.handlers.set(type.method, handler as (p: unknown) => void);
    return () => {
      if (this.handlers.get(type.method) === handler) this.handlers.delete(type.method);
    };
  }

  get state(): S | undefined {
    return this.api.getState();
  }
  set state(s: S) {
    this.api.setState(s);
  }

  private receive(m: unknown): void {
    if (!isWireMessage(m)) return;
    if (m.kind === 'response') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    } else if (m.kind === 'notification') {
      this.handlers.get(m.method)?.(m.params);
    }
  }
}
