/**
 * Host side of the webview protocol (src/protocol.ts): typed request and command handlers, typed
 * notifications. One channel per webview. A channel made `held` keeps what the webview sends until
 * `release()`: the page can load before its view has registered the handlers (curatorPage.ts).
 */
import type * as vscode from 'vscode';
import { isWireMessage, type CommandType, type NotificationType, type ParamsOf, type RequestType, type ResultOf, type WireMessage } from '../protocol';

type Handler = (params: unknown) => unknown;

export class HostChannel {
  private readonly requests = new Map<string, Handler>();
  private readonly commands = new Map<string, Handler>();
  private readonly sub: vscode.Disposable;
  /** Messages received while held, in order (undefined once released). */
  private held: unknown[] | undefined;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly onError: (method: string, e: unknown) => void = () => {},
    opts: { held?: boolean } = {},
  ) {
    if (opts.held) this.held = [];
    this.sub = webview.onDidReceiveMessage((m: unknown) => {
      if (this.held) this.held.push(m);
      else void this.dispatch(m);
    });
  }

  /** Answers what arrived while held, in order, and everything after it as it comes. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const m of held) void this.dispatch(m);
  }

  onRequest<T extends RequestType<unknown, unknown>>(type: T, handler: (params: ParamsOf<T>) => ResultOf<T> | Promise<ResultOf<T>>): void {
    this.requests.set(type.method, handler as Handler);
  }

  onCommand<T extends CommandType<unknown>>(type: T, handler: (params: ParamsOf<T>) => void | Promise<void>): void {
    this.commands.set(type.method, handler as Handler);
  }

  notify<T extends NotificationType<unknown>>(type: T, params: ParamsOf<T>): Thenable<boolean> {
    return this.webview.postMessage({ kind: 'notification', method: type.method, params } satisfies WireMessage);
  }

  dispose(): void {
    this.sub.dispose();
  }

  private async dispatch(m: unknown): Promise<void> {
    if (!isWireMessage(m)) return;
    if (m.kind === 'command') {
      const h = this.commands.get(m.method);
      try {
        await h?.(m.params);
      } catch (e) {
        this.onError(m.method, e);
      }
      return;
    }
    if (m.kind !== 'request') return;
    const h = this.requests.get(m.method);
    let reply: WireMessage;
    if (!h) reply = { kind: 'response', id: m.id, ok: false, error: `unknown request "${m.method}"` };
    else {
      try {
        reply = { kind: 'response', id: m.id, ok: true, result: await h(m.params) };
      } catch (e) {
        this.onError(m.method, e);
        reply = { kind: 'response', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    }
    await this.webview.postMessage(reply);
  }
}
