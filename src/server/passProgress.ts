/**
 * Progress of a long validation pass in the editor's status bar ("Curator: validating 12,000 /
 * 20,000 records"), shown only when a pass runs longer than a moment and the client supports
 * server-initiated work-done progress.
 */
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';

const SHOW_AFTER_MS = 400;

export class PassProgress {
  private reporter: WorkDoneProgressServerReporter | undefined;
  private requested = false;
  private closed = false;

  constructor(
    private readonly connection: Connection,
    private readonly enabled: boolean,
    private readonly title: string,
  ) {}

  update(done: number, total: number, elapsedMs: number): void {
    if (!this.enabled || this.closed) return;
    const percentage = total ? Math.floor((done / total) * 100) : 0;
    const message = `${thousands(done)} / ${thousands(total)} records`;
    if (this.reporter) {
      this.reporter.report(percentage, message);
      return;
    }
    if (this.requested || elapsedMs < SHOW_AFTER_MS) return;
    this.requested = true;
    this.connection.window.createWorkDoneProgress().then(
      (r) => {
        if (this.closed) {
          r.done();
          return;
        }
        this.reporter = r;
        r.begin(this.title, percentage, message);
      },
      () => {
        /* the client declined */
      },
    );
  }

  done(): void {
    this.closed = true;
    this.reporter?.done();
    this.reporter = undefined;
  }
}

/** 12345 → "12,345" (toLocaleString builds a number formatter per call: too slow to call in a loop). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
