/**
 * A real VS Code for end-to-end tests: code-server (installed by scripts/install-code-server.sh into
 * .code-server/) in headless Debian Chromium, driven by playwright-core. The extension under
 * development (this repository, built into dist/) is loaded without packaging.
 *
 * Each session gets a free port on 127.0.0.1 and its own throw-away user-data, extensions, XDG and
 * browser-profile folders, so sessions never share state with each other or with your own VS Code.
 *
 *   import { VsCode } from './harness';
 *   const vs = await VsCode.start({ workspace: dir, settings: { 'curator.reviewer': 'ana' } });
 *   try {
 *     await vs.openFile('data.json');                     // quick open, text editor
 *     await vs.runCommand('Curator: Open Dataset');       // command palette, by title
 *     const view = vs.webview();                          // FrameLocator inside the active webview
 *     await view.locator('.progress-count').waitFor();
 *     await vs.press('c');                                // keyboard into the workbench/webview
 *     await vs.screenshot('after-marking');               // → test/artifacts/after-marking.png
 *     await vs.reload();                                  // reload the window (same server)
 *   } finally { await vs.close(); }
 *
 *   // mocha tests inside the extension host (real `vscode` API); resolves with the exit code:
 *   const { code, output } = await runExtensionTests({ workspace: dir, testsPath: 'out/test/e2e/exthost/index.js' });
 *
 * Also: vs.page (the playwright Page), vs.problems() (Problems panel rows), vs.extensionHostPids()
 * (to kill the host in a crash test), vs.log() (code-server's output). `VsCode.start({ vsix: 'x.vsix', … })` installs a packaged extension
 * (`--install-extension`) instead of loading this repository under development. Environment: CODE_SERVER=path/to/code-server overrides the binary;
 * E2E_HEADED=1 shows the browser; E2E_KEEP=1 keeps the session folders.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromiumPath, CHROMIUM_ARGS } from '../support/browser';
import { chromium, type BrowserContext, type ConsoleMessage, type FrameLocator, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts');

export function codeServerBinary(): string {
  return process.env.CODE_SERVER ?? path.join(REPO_ROOT, '.code-server', 'node_modules', '.bin', 'code-server');
}

export interface StartOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** User settings merged over quiet defaults (no welcome page, telemetry, trust prompt, git). */
  settings?: Record<string, unknown>;
  /**
   * Remote ("Machine") settings, read on the code-server side. Machine-scoped settings such as
   * curator.reviewer belong here in a remote window; user settings can reach a reloaded extension
   * host late.
   */
  machineSettings?: Record<string, unknown>;
  /** false: leave Workspace Trust on and open the folder untrusted (restricted mode). Default true. */
  trusted?: boolean;
  /** Extension folder to load under development (default: this repository). */
  extensionPath?: string;
  /** A packaged .vsix installed with `code-server --install-extension` instead of loading a development folder. */
  vsix?: string;
  /** A compiled mocha entry (`run(): Promise<void>`) to run in the extension host instead of UI use. */
  extensionTestsPath?: string;
  /** Extra environment for code-server (and so for the extension host). */
  env?: Record<string, string>;
  /** Browser viewport; default 1400×900. */
  viewport?: { width: number; height: number };
  /** Wait for the workbench (default true). */
  waitForWorkbench?: boolean;
}

const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
  'chat.commandCenter.enabled': false,
  'workbench.editor.enablePreview': false,
  'window.commandCenter': false,
};

let sessionCount = 0;

export class VsCode {
  /** Exit code reported by the extension host when extensionTestsPath was given. */
  readonly testExit: Promise<number>;
  private readonly consoleLines: string[] = [];

  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    readonly server: ChildProcess,
    readonly port: number,
    readonly url: string,
    readonly runDir: string,
    private readonly logFile: string,
    testExit: Promise<number>,
  ) {
    this.testExit = testExit;
    page.on('console', (m: ConsoleMessage) => this.consoleLines.push(`[${m.type()}] ${m.text()}`));
  }

  static async start(opts: StartOptions): Promise<VsCode> {
    const bin = codeServerBinary();
    if (!fs.existsSync(bin)) throw new Error(`code-server is not installed at ${bin}: run scripts/install-code-server.sh (npm test does)`);
    const workspace = path.resolve(opts.workspace);
    const ext = path.resolve(opts.extensionPath ?? REPO_ROOT);
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `cocurate-vscode-${++sessionCount}-`));
    const dirs = {
      userData: path.join(runDir, 'user-data'),
      extensions: path.join(runDir, 'extensions'),
      xdgConfig: path.join(runDir, 'xdg-config'),
      xdgData: path.join(runDir, 'xdg-data'),
      profile: path.join(runDir, 'chromium'),
    };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    const trusted = opts.trusted !== false;
    const settings = { ...QUIET_SETTINGS, 'security.workspace.trust.enabled': !trusted, ...opts.settings };
    fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    if (opts.machineSettings) {
      fs.mkdirSync(path.join(dirs.userData, 'Machine'), { recursive: true });
      fs.writeFileSync(path.join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings, null, 2));
    }
    const config = path.join(runDir, 'config.yaml');
    fs.writeFileSync(config, 'auth: none\ncert: false\n');

    if (opts.vsix) {
      const inst = spawnSync(bin, ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', path.resolve(opts.vsix)], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData },
        timeout: 120_000,
      });
      if (inst.status !== 0)
        throw new Error(`code-server --install-extension ${opts.vsix} failed (${inst.status ?? inst.signal}): ${inst.stdout}${inst.stderr}`);
    }
    const port = await freePort();
    const logFile = path.join(runDir, 'code-server.log');
    const out = fs.openSync(logFile, 'a');
    const args = [
      '--config',
      config,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(trusted ? ['--disable-workspace-trust'] : []),
      workspace,
    ];
    const server = spawn(bin, args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, ...opts.env },
    });
    fs.closeSync(out);
    try {
      await waitForHealth(port, server, logFile);
    } catch (e) {
      killGroup(server);
      throw e;
    }

    const context = await chromium.launchPersistentContext(dirs.profile, {
      executablePath: chromiumPath(),
      headless: !process.env.E2E_HEADED,
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      args: [...CHROMIUM_ARGS, '--disable-dev-shm-usage'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    let resolveExit: (code: number) => void = () => {};
    const testExit = new Promise<number>((r) => {
      resolveExit = r;
    });
    if (opts.extensionTestsPath)
      await page.exposeFunction('codeAutomationExit', (code: number) => {
        resolveExit(code);
      });

    const authority = `127.0.0.1:${port}`;
    const payload: [string, string][] = opts.vsix ? [] : [['extensionDevelopmentPath', `vscode-remote://${authority}${ext}`]];
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${path.resolve(opts.extensionTestsPath)}`]);
    const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const vs = new VsCode(page, context, server, port, url, runDir, logFile, testExit);
    try {
      // Generous: on a loaded 2-core machine the workbench page can take over 30 s to load, and a
      // failure here is in a "before all" hook, which mocha never retries.
      await page.goto(url, { timeout: 120_000 });
      if (opts.waitForWorkbench !== false) await vs.waitForWorkbench(120_000);
    } catch (e) {
      await vs.close();
      throw e;
    }
    return vs;
  }

  /** The workbench is shown and the explorer lists the workspace. */
  async waitForWorkbench(timeout = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
    // The explorer lists the folder once the workspace is up; another view may be showing instead
    // (after a reload the side bar shows what it showed before), so any side-bar pane will do.
    await this.page
      .locator('.explorer-folders-view .monaco-list-row, .part.sidebar .pane-body .monaco-list-row')
      .first()
      .waitFor({ state: 'visible', timeout: Math.min(timeout, 20_000) })
      .catch(() => undefined);
  }

  /**
   * Runs a command from the palette by its title as shown there ("Curator: Open Dataset"). Right
   * after load the extension's commands may not be registered yet: reopens the palette until the
   * row appears (up to `timeout`).
   */
  async runCommand(title: string, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    const input = this.page.locator('.quick-input-widget input.input');
    const first = this.page.locator('.quick-input-widget .monaco-list-row').first();
    const want = title.toLowerCase();
    for (;;) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const opened = await input.waitFor({ state: 'visible', timeout: 10_000 }).then(
        () => true,
        () => false,
      );
      if (!opened) {
        // F1 did not reach the workbench (a webview frame kept the keyboard): take the focus back to the
        // workbench's own document and try again.
        if (Date.now() > deadline) throw new Error(`the command palette did not open within ${timeout} ms`);
        await this.page.evaluate(() =>
          (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.(),
        );
        continue;
      }
      // A webview that finishes loading takes the focus, which closes the palette: open it again.
      const filled = await input.fill(`>${title}`, { timeout: 2_000 }).then(
        () => true,
        () => false,
      );
      if (!filled) {
        if (Date.now() > deadline) throw new Error(`the command palette closed before "${title}" could be typed, for ${timeout} ms`);
        continue;
      }
      // The list filters asynchronously: wait until the top row is the command, then run it.
      const until = Date.now() + 2_500;
      while (Date.now() < until) {
        const text = ((await first.textContent({ timeout: 500 }).catch(() => '')) ?? '').toLowerCase();
        if (text.includes(want)) {
          await this.page.keyboard.press('Enter');
          return;
        }
        await this.page.waitForTimeout(100);
      }
      if (Date.now() > deadline) throw new Error(`command "${title}" did not appear in the palette within ${timeout} ms`);
    }
  }

  /**
   * Answers the quick input a command opened (input box or quick pick): optionally waits for its
   * `title`, types `text` (if given) or filters to the `pick` row, and presses Enter. It first waits
   * for the command palette to give way (its value starts with ">"), so a command's own input box
   * is never mistaken for the palette.
   */
  async answerQuickInput(text?: string, pick?: string, title?: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    const deadline = Date.now() + 15_000;
    while ((await input.inputValue()).startsWith('>') && Date.now() < deadline) await this.page.waitForTimeout(100);
    if (title !== undefined)
      await this.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
    if (text !== undefined) await input.fill(text);
    if (pick !== undefined) {
      await input.fill(pick);
      // The list filters asynchronously and every row is visible before it does: wait until the top row
      // (the one Enter takes) is the pick, or Enter may take the row that was on top before filtering.
      const top = this.page.locator('.quick-input-widget .monaco-list-row').first();
      const until = Date.now() + 10_000;
      while (!((await top.textContent({ timeout: 500 }).catch(() => '')) ?? '').includes(pick)) {
        if (Date.now() > until) throw new Error(`quick pick row "${pick}" did not come to the top within 10 s`);
        await this.page.waitForTimeout(100);
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /** Opens a workspace file in its default editor through Quick Open (Ctrl+P). */
  async openFile(relativePath: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(relativePath);
    const base = path.basename(relativePath);
    // Generous timeouts: on a loaded 2-core machine quick open and the first editor take a while.
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: base }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: base }).first().waitFor({ state: 'visible', timeout: 30_000 });
  }

  /**
   * Content frame of the visible webview (custom editor or panel). With `title`, the webview of the
   * editor tab whose label contains it.
   */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready >> visible=true').first().frameLocator('iframe#active-frame');
  }

  /** Clicks into the visible webview (at a neutral spot) so it has keyboard focus. */
  async focusWebview(selector = 'header .heading'): Promise<void> {
    await this.webview().locator(selector).first().click();
  }

  /** Presses a key (or chord, "Control+P") wherever focus is. */
  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** Rows of the Problems panel (opens it): "severity: message" text per row. */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 10_000 });
    return rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
  }

  /** Saves a PNG of the whole window into test/artifacts/<name>.png; returns the path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * "Developer: Reload Window": the workbench shuts down properly (saving which editors are open),
   * the page reloads, and a new extension host starts; the server and its files stay.
   */
  async reload(): Promise<void> {
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (f) => f === this.page.mainFrame(), timeout: 60_000 });
    await this.runCommand('Developer: Reload Window');
    await navigated;
    await this.page.waitForLoadState('domcontentloaded');
    await this.waitForWorkbench();
  }

  /** Process ids of the extension host(s) this session's code-server started. */
  extensionHostPids(): number[] {
    const children = new Map<number, number[]>();
    const cmd = new Map<number, string>();
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const pid = Number(d);
        (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(pid);
        cmd.set(pid, fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        /* process ended */
      }
    }
    const out: number[] = [];
    const walk = (pid: number) => {
      for (const c of children.get(pid) ?? []) {
        if (/extensionHost/.test(cmd.get(c) ?? '')) out.push(c);
        walk(c);
      }
    };
    if (this.server.pid) walk(this.server.pid);
    return out;
  }

  /** code-server's own output so far, and the browser console. */
  log(): string {
    let s = '';
    try {
      s = fs.readFileSync(this.logFile, 'utf8');
    } catch {
      /* not written */
    }
    return `${s}\n--- browser console ---\n${this.consoleLines.join('\n')}`;
  }

  /** Browser console lines so far (extension host output arrives here too). */
  get console(): readonly string[] {
    return this.consoleLines;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await killGroup(this.server);
    if (!process.env.E2E_KEEP) fs.rmSync(this.runDir, { recursive: true, force: true });
  }
}

/**
 * Runs mocha tests inside the real extension host: `testsPath` is a compiled file exporting
 * `run(): Promise<void>`. Resolves with the exit code (0 = all passed) and the console output.
 */
export async function runExtensionTests(
  opts: Omit<StartOptions, 'extensionTestsPath'> & { testsPath: string; timeout?: number },
): Promise<{ code: number; output: string }> {
  const vs = await VsCode.start({ ...opts, extensionTestsPath: opts.testsPath, waitForWorkbench: false });
  try {
    const timeout = opts.timeout ?? 180_000;
    const code = await Promise.race([vs.testExit, new Promise<number>((r) => setTimeout(() => r(-1), timeout))]);
    return { code, output: vs.console.join('\n') + (code === -1 ? `\n(timed out after ${timeout} ms)\n${vs.log()}` : '') };
  } finally {
    await vs.close();
  }
}

/** A fresh copy of a folder in a temp dir (tests write .curator/ into it). */
export function copyWorkspace(from: string, name = 'workspace'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cocurate-${name}-`));
  fs.cpSync(from, dir, { recursive: true, filter: (src) => path.basename(src) !== '.curator' });
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(port: number, server: ChildProcess, logFile: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`code-server did not answer /healthz on port ${port} within ${timeout} ms`);
}

async function killGroup(p: ChildProcess): Promise<void> {
  if (!p.pid || p.exitCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  try {
    process.kill(-p.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 3000);
  await gone;
  clearTimeout(t);
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    /* the whole group is gone */
  }
}

/**
 * Registers an `afterEach` for the enclosing suite: when a test fails, a screenshot goes to
 * test/artifacts (`<prefix>-<test title>.png`) and the end of code-server's log is printed.
 */
export function captureFailures(current: () => VsCode | undefined, prefix = 'failed'): void {
  afterEach(async function () {
    const vs = current();
    if (this.currentTest?.state !== 'failed' || !vs) return;
    await vs.screenshot(`${prefix}-${this.currentTest.title}`);
    console.log(vs.log().slice(-4000));
  });
}
