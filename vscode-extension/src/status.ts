// The status bar item: a spinner while a file is being verified, then "✓ 12 ✗ 1 ? 2".
import * as vscode from 'vscode';

export interface Counts {
  proved: number;
  counterexample: number;
  unknown: number;
}

type Source = 'stats' | 'lenses' | 'diagnostics';

interface FileState {
  counts?: Counts;
  source?: Source;
  /** Counts computed from the diagnostics (no proved count there). */
  fromDiagnostics?: Counts;
  busy: boolean;
  busySince?: number;
  timeMs?: number;
  /** A counterexample or unknown seen in the diagnostics. */
}

const BUSY_LIMIT_MS = 5 * 60 * 1000;
const LENS_RE = /✓\s*(\d+)\s*proved\s*·\s*✗\s*(\d+)\s*·\s*\?\s*(\d+)/;

/** Parses a code lens title of the server ("✓ 3 proved · ✗ 1 · ? 0 — 12 ms"). */
export function countsFromLensTitle(title: string): Counts | undefined {
  const m = LENS_RE.exec(title);
  if (!m) {
    return undefined;
  }
  return { proved: +m[1], counterexample: +m[2], unknown: +m[3] };
}

export function sumCounts(list: Counts[]): Counts {
  return list.reduce((a, c) => ({
    proved: a.proved + c.proved,
    counterexample: a.counterexample + c.counterexample,
    unknown: a.unknown + c.unknown,
  }), { proved: 0, counterexample: 0, unknown: 0 });
}

function isCounts(x: any): x is Counts {
  return x && typeof x === 'object' && ['proved', 'counterexample', 'unknown'].every((k) => typeof x[k] === 'number');
}

/** Status of a diagnostic from its `data.status`, else guessed from its message. */
export function diagnosticStatus(d: vscode.Diagnostic): 'counterexample' | 'unknown' | undefined {
  if (d.source !== 'veriline') {
    return undefined;
  }
  const data = (d as any).data;
  if (data && typeof data.status === 'string') {
    if (data.status === 'counterexample' || data.status === 'unknown') {
      return data.status;
    }
    return undefined;
  }
  if (d.code === 'syntax') {
    return undefined;
  }
  if (/^\?|unknown|could not|timed? ?out/i.test(d.message)) {
    return 'unknown';
  }
  return 'counterexample';
}

export class VerilineStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly files = new Map<string, FileState>();
  private serverState: 'starting' | 'running' | 'stopped' | 'failed' = 'starting';
  private readonly statsSeen = new Map<string, number>();
  private readonly busyTimers = new Map<string, NodeJS.Timeout>();
  private failure = '';
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a uri whenever that file's counts or busy state change. */
  readonly onDidChange = this.changed.event;

  constructor(showOutputCommand: string) {
    this.item = vscode.window.createStatusBarItem('veriline.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Veriline';
    this.item.command = showOutputCommand;
    this.disposables.push(
      this.item,
      this.changed,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.files.delete(doc.uri.toString());
        this.render();
      }),
    );
    this.render();
  }

  private state(uri: string): FileState {
    let s = this.files.get(uri);
    if (!s) {
      s = { busy: false };
      this.files.set(uri, s);
    }
    return s;
  }

  setServerState(state: 'starting' | 'running' | 'stopped' | 'failed', failure = ''): void {
    this.serverState = state;
    this.failure = failure;
    if (state !== 'running') {
      for (const s of this.files.values()) {
        s.busy = false;
      }
    }
    this.render();
  }

  setBusy(uri: string, busy: boolean): void {
    const s = this.state(uri);
    clearTimeout(this.busyTimers.get(uri));
    this.busyTimers.delete(uri);
    if (busy) {
      // Never spin forever: a run that ends without a stats notification stops spinning.
      this.busyTimers.set(uri, setTimeout(() => this.setBusy(uri, false), BUSY_LIMIT_MS));
    }
    if (s.busy !== busy) {
      s.busy = busy;
      s.busySince = busy ? Date.now() : undefined;
      this.render();
      this.changed.fire(uri);
    }
  }

  /** The `veriline/stats` notification: end of one verification run of a file. */
  onStats(payload: any): void {
    if (!payload || typeof payload.uri !== 'string') {
      return;
    }
    const s = this.state(payload.uri);
    this.statsSeen.set(payload.uri, (this.statsSeen.get(payload.uri) ?? 0) + 1);
    const c = payload.counts;
    if (isCounts(c)) {
      s.counts = { proved: c.proved, counterexample: c.counterexample, unknown: c.unknown };
      s.source = 'stats';
    }
    if (typeof payload.timeMs === 'number') {
      s.timeMs = payload.timeMs;
    }
    if (payload.running === true || payload.state === 'verifying') {
      this.setBusy(payload.uri, true);
    } else {
      this.setBusy(payload.uri, false);
    }
    this.render();
    this.changed.fire(payload.uri);
  }

  onDiagnostics(uri: string, diagnostics: readonly vscode.Diagnostic[]): void {
    const s = this.state(uri);
    const counts: Counts = { proved: 0, counterexample: 0, unknown: 0 };
    for (const d of diagnostics) {
      const st = diagnosticStatus(d);
      if (st) {
        counts[st] += 1;
      }
    }
    s.fromDiagnostics = counts;
    this.render();
    this.changed.fire(uri);
  }

  onLensCounts(uri: string, counts: Counts | undefined): void {
    if (!counts) {
      return;
    }
    const s = this.state(uri);
    if (s.source !== 'stats') {
      s.counts = counts;
      s.source = 'lenses';
      this.render();
      this.changed.fire(uri);
    }
  }

  /** The counts shown for a file (the test suite reads these too). */
  countsFor(uri: string): { counts?: Counts; partial: boolean; busy: boolean } {
    const s = this.files.get(uri);
    if (!s) {
      return { partial: true, busy: false };
    }
    if (s.counts) {
      return { counts: s.counts, partial: false, busy: s.busy };
    }
    return { counts: s.fromDiagnostics, partial: true, busy: s.busy };
  }

  /** How many `veriline/stats` notifications arrived for a file. */
  statsCount(uri: string): number {
    return this.statsSeen.get(uri) ?? 0;
  }

  text(): string {
    return this.item.text;
  }

  render(): void {
    const editor = vscode.window.activeTextEditor;
    const lang = editor?.document.languageId;
    const relevant = lang === 'python' || lang === 'c';
    if (this.serverState === 'failed') {
      this.item.text = '$(error) Veriline';
      this.item.tooltip = `Veriline server is not running: ${this.failure}\nClick to show the output.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.show();
      return;
    }
    this.item.backgroundColor = undefined;
    if (this.serverState === 'starting') {
      this.item.text = '$(sync~spin) Veriline';
      this.item.tooltip = 'Veriline: starting the server';
      relevant ? this.item.show() : this.item.hide();
      return;
    }
    if (!relevant || !editor) {
      this.item.hide();
      return;
    }
    const uri = editor.document.uri.toString();
    const { counts, partial, busy } = this.countsFor(uri);
    const proved = counts && !partial ? String(counts.proved) : '–';
    const summary = counts ? `✓ ${proved} ✗ ${counts.counterexample} ? ${counts.unknown}` : '';
    if (busy) {
      this.item.text = `$(sync~spin) ${summary || 'Verifying'}`.trim();
      this.item.tooltip = 'Veriline: verifying this file…';
    } else {
      this.item.text = summary || 'Veriline';
      const s = this.files.get(uri);
      const time = s?.timeMs !== undefined ? ` in ${Math.round(s.timeMs)} ms` : '';
      this.item.tooltip = counts
        ? `Veriline${time}: ${partial ? '' : `${counts.proved} proved, `}${counts.counterexample} with a counterexample, ${counts.unknown} unknown.\nClick to show the output.`
        : 'Veriline: no result for this file yet. Click to show the output.';
    }
    this.item.show();
  }

  dispose(): void {
    for (const t of this.busyTimers.values()) {
      clearTimeout(t);
    }
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
