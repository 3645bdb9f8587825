// Tests that run inside a real VS Code extension host (code-server's), against the
// installed .vsix. VS Code calls run(); a rejected promise makes the host exit with 1.
// Results also go to the JSON file named by VERILINE_TEST_RESULTS.
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as path from 'path';

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  info?: unknown;
}

const results: Result[] = [];
const EXTENSION_ID = 'veriline.veriline';
const examples = process.env.VERILINE_EXAMPLES ?? '';
const resultsFile = process.env.VERILINE_TEST_RESULTS ?? '';
const diagTimeoutMs = Number(process.env.VERILINE_DIAG_TIMEOUT_MS ?? 180000);

function log(s: string): void {
  console.log(`[veriline-test] ${s}`);
  if (resultsFile) {
    fs.appendFileSync(`${resultsFile}.log`, `${new Date().toISOString()} ${s}\n`);
  }
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) {
    throw new Error(message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && (v as unknown) !== false) {
      return v;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(250);
  }
}

async function test(name: string, body: () => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  try {
    const info = await body();
    results.push({ name, ok: true, ms: Date.now() - t0, info });
    log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    const error = err instanceof Error ? `${err.message}` : String(err);
    results.push({ name, ok: false, ms: Date.now() - t0, error });
    log(`FAIL ${name}: ${error}`);
  }
}

function hoverText(hovers: vscode.Hover[]): string {
  const parts: string[] = [];
  for (const h of hovers) {
    for (const c of h.contents) {
      parts.push(typeof c === 'string' ? c : (c as vscode.MarkdownString).value ?? String(c));
    }
  }
  return parts.join('\n\n');
}

export async function run(): Promise<void> {
  log(`extension host: VS Code ${vscode.version}, node ${process.version}`);
  const target = path.join(examples, 'python', 'subtract_loop.py');
  let api: any;
  let g2Line = -1;
  let diag: vscode.Diagnostic | undefined;
  const uri = vscode.Uri.file(target);

  await test('the installed extension activates and starts the server', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert(ext, `${EXTENSION_ID} is not installed`);
    // Opening a Python file is what activates it (onLanguage:python).
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    api = await waitFor('activation', 60000, () => (ext.isActive ? ext.exports : undefined));
    await api.ready();
    const client = api.client();
    assert(client, `the server did not start: ${api.lastError()}`);
    await waitFor('the client to be running', 60000, () => client.state === 2 /* Running */);
    return { extensionPath: ext.extensionPath, version: ext.packageJSON.version, server: api.serverCommand() };
  });

  await test('settings and commands are contributed', async () => {
    const cfg = vscode.workspace.getConfiguration('veriline');
    const expected: Record<string, unknown> = {
      timeout: 5,
      analyses: ['contract', 'overflow', 'termination'],
      unknownSeverity: 'information',
      inlayHints: true,
      debounceMs: 200,
      replay: false,
      cache: '',
      reportUnsignedWrap: false,
      reportConversions: true,
      'server.command': [],
    };
    for (const [key, value] of Object.entries(expected)) {
      const got = cfg.inspect(key);
      assert(got, `veriline.${key} is not contributed`);
      assert(JSON.stringify(got.defaultValue) === JSON.stringify(value), `veriline.${key} default is ${JSON.stringify(got.defaultValue)}, not ${JSON.stringify(value)}`);
    }
    const sent = api.settingsFor(uri);
    for (const key of Object.keys(expected).filter((k) => k !== 'server.command')) {
      assert(key in sent, `setting ${key} is not sent to the server`);
    }
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['veriline.verifyCurrentFile', 'veriline.verifyWorkspace', 'veriline.clearCacheAndReverify', 'veriline.restartServer', 'veriline.showOutput']) {
      assert(commands.includes(c), `command ${c} is not registered`);
    }
    return { trusted: vscode.workspace.isTrusted, sent };
  });

  await test('the g2 termination counterexample arrives as a diagnostic', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const lines = doc.getText().split('\n');
    const g2 = lines.findIndex((l) => l.startsWith('def g2('));
    assert(g2 >= 0, 'no def g2 in the example');
    g2Line = lines.findIndex((l, i) => i > g2 && /^\s*while\b/.test(l));
    assert(g2Line > g2, 'no while loop in g2');
    diag = await waitFor(`a veriline diagnostic on line ${g2Line + 1}`, diagTimeoutMs, () =>
      vscode.languages
        .getDiagnostics(uri)
        .find((d) => d.source === 'veriline' && d.range.start.line === g2Line && d.message.includes('g2(5, 0)')),
    );
    const code = typeof diag.code === 'object' ? diag.code.value : diag.code;
    assert(code === 'termination', `diagnostic code is ${String(code)}, not termination`);
    assert(diag.severity === vscode.DiagnosticSeverity.Error || diag.severity === vscode.DiagnosticSeverity.Warning, `unexpected severity ${diag.severity}`);
    // g (which terminates) must not be reported.
    const others = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'veriline' && d.range.start.line < g2);
    assert(others.length === 0, `unexpected diagnostics in g: ${others.map((d) => d.message).join('; ')}`);
    return { line: g2Line + 1, message: diag.message, code };
  });

  await test('the hover on the g2 loop shows the counterexample', async () => {
    assert(g2Line >= 0 && diag, 'needs the diagnostic');
    const doc = await vscode.workspace.openTextDocument(uri);
    const col = doc.lineAt(g2Line).firstNonWhitespaceCharacterIndex + 1;
    const pos = new vscode.Position(g2Line, col);
    const text = await waitFor('a veriline hover', 30000, async () => {
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
      const t = hoverText(hovers);
      return t.includes('g2(5, 0)') ? t : undefined;
    });
    assert(/termination/.test(text), `hover does not mention termination: ${text}`);
    return { hover: text };
  });

  await test('the status bar shows the counts of the active file', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    assert(editor, 'no editor');
    const text = await waitFor('status text with ✗ 1', 60000, () => {
      const t: string = api.statusText();
      return /✗ 1\b/.test(t) && !t.includes('sync~spin') ? t : undefined;
    });
    const counts = api.countsFor(uri);
    assert(counts.counts && counts.counts.counterexample === 1, `counts ${JSON.stringify(counts)}`);
    return { status: text, counts };
  });

  await test('"Veriline: Verify File" re-verifies the active file', async () => {
    await vscode.commands.executeCommand('veriline.verifyCurrentFile');
    const d = await waitFor('the diagnostic after re-verification', diagTimeoutMs, () =>
      vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && x.message.includes('g2(5, 0)')),
    );
    return { message: d.message };
  });

  await test('"Veriline: Restart Server" restarts and verifies again', async () => {
    await vscode.commands.executeCommand('veriline.restartServer');
    const client = api.client();
    assert(client && client.state === 2, `not running after restart: ${api.lastError()}`);
    const d = await waitFor('the diagnostic after restart', diagTimeoutMs, () =>
      vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && x.message.includes('g2(5, 0)')),
    );
    return { message: d.message };
  });

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const summary = { passed, failed, vscode: vscode.version, results };
  if (process.env.VERILINE_KEEP_OPEN === '1' && g2Line >= 0) {
    // For the README screenshot: show the hover on the g2 loop in the real UI.
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const col = editor.document.lineAt(g2Line).firstNonWhitespaceCharacterIndex + 2;
    editor.selection = new vscode.Selection(g2Line, col, g2Line, col);
    editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    await sleep(1500);
    await vscode.commands.executeCommand('editor.action.showHover');
  }
  if (resultsFile) {
    fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2));
  }
  log(`${passed} passed, ${failed} failed`);
  if (process.env.VERILINE_KEEP_OPEN === '1') {
    return; // the screenshot run keeps the window for a picture; the runner decides when to stop
  }
  if (failed > 0) {
    throw new Error(`${failed} test(s) failed`);
  }
}
