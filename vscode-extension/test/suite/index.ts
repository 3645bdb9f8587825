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
// The reproducing call in the g2 message. examples/expected.tsv allows any x > y with
// y <= 0 ("e.g. (5, 0)"); set VERILINE_EXPECT_G2_CALL="g2(5, 0)" to require one exactly.
const expectCall = process.env.VERILINE_EXPECT_G2_CALL ?? '';
const G2_CALL = /g2\((-?\d+), (-?\d+)\)/;

/** The g2(x, y) call named in a message, if it really does not terminate (x > y, y <= 0). */
function g2Call(message: string): string | undefined {
  const m = G2_CALL.exec(message);
  if (!m) {
    return undefined;
  }
  if (expectCall) {
    return message.includes(expectCall) ? m[0] : undefined;
  }
  const x = Number(m[1]);
  const y = Number(m[2]);
  return x > y && y <= 0 ? m[0] : undefined;
}

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
  log(`extension host: VS Code ${vscode.version}, node ${process.version}, trusted: ${vscode.workspace.isTrusted}`);
  if (process.env.VERILINE_TEST_MODE === 'untrusted') {
    return runUntrusted();
  }
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
        .find((d) => d.source === 'veriline' && d.range.start.line === g2Line && g2Call(d.message) !== undefined),
    );
    const code = typeof diag.code === 'object' ? diag.code.value : diag.code;
    assert(code === 'termination', `diagnostic code is ${String(code)}, not termination`);
    assert(diag.severity === vscode.DiagnosticSeverity.Error || diag.severity === vscode.DiagnosticSeverity.Warning, `unexpected severity ${diag.severity}`);
    // g (which terminates) must not be reported.
    const others = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'veriline' && d.range.start.line < g2);
    assert(others.length === 0, `unexpected diagnostics in g: ${others.map((d) => d.message).join('; ')}`);
    return { line: g2Line + 1, message: diag.message, code, call: g2Call(diag.message) };
  });

  await test('the hover on the g2 loop shows the counterexample', async () => {
    assert(g2Line >= 0 && diag, 'needs the diagnostic');
    const doc = await vscode.workspace.openTextDocument(uri);
    const col = doc.lineAt(g2Line).firstNonWhitespaceCharacterIndex + 1;
    const pos = new vscode.Position(g2Line, col);
    const text = await waitFor('a veriline hover', 30000, async () => {
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
      const t = hoverText(hovers);
      return G2_CALL.test(t) && t.includes(g2Call(diag!.message)!) ? t : undefined;
    });
    assert(/termination/.test(text), `hover does not mention termination: ${text}`);
    return { hover: text };
  });

  await test('"Show proof obligation" opens the SMT-LIB of the finding read-only', async () => {
    assert(g2Line >= 0 && diag, 'needs the diagnostic');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const col = editor.document.lineAt(g2Line).firstNonWhitespaceCharacterIndex + 1;
    editor.selection = new vscode.Selection(g2Line, col, g2Line, col);
    await vscode.commands.executeCommand('veriline.showProofAtCursor');
    const proof = await waitFor('a veriline-proof: document', 120000, () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'veriline-proof' && d.getText().includes('(check-sat)')),
    );
    const text = proof.getText();
    assert(/termination/.test(text), `the proof text does not name the termination finding: ${text.slice(0, 300)}`);
    // read-only: a content provider's document cannot be edited and saved
    const shown = vscode.window.visibleTextEditors.find((e) => e.document === proof);
    assert(shown, 'the proof document is not shown');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    return { uri: proof.uri.toString(), chars: text.length };
  });

  await test('the status bar shows the counts of the active file', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    assert(editor, 'no editor');
    const text = await waitFor('status text with ✗ 1', 60000, () => {
      const t: string = api.statusText();
      return /✗ 1\b/.test(t) && !t.includes('sync~spin') ? t : undefined;
    });
    // The proved count comes from the server (stats counts, or the code lens titles).
    const full = await waitFor('the proved count', 30000, () => {
      const c = api.countsFor(uri);
      return c.counts && !c.partial ? c : undefined;
    }).catch(() => undefined);
    const counts = full ?? api.countsFor(uri);
    assert(counts.counts && counts.counts.counterexample === 1, `counts ${JSON.stringify(counts)}`);
    if (full) {
      assert(full.counts.proved >= 1, `g's termination should count as proved: ${JSON.stringify(full)}`);
    }
    return { status: api.statusText(), first: text, counts, provedKnown: !!full };
  });

  if (process.env.VERILINE_KEEP_OPEN === '1' && g2Line >= 0) {
    // For the README screenshot: show the hover on the g2 loop in the real UI, tell the
    // runner (marker file), and wait until it has taken the picture.
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const col = editor.document.lineAt(g2Line).firstNonWhitespaceCharacterIndex + 2;
    editor.selection = new vscode.Selection(g2Line, col, g2Line, col);
    editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    await sleep(1500);
    await vscode.commands.executeCommand('editor.action.showHover');
    log(`screenshot state: status "${api.statusText()}", ${vscode.languages.getDiagnostics(uri).length} diagnostic(s)`);
    fs.writeFileSync(`${resultsFile}.hover`, 'shown');
    await waitFor('the screenshot', 120000, () => fs.existsSync(`${resultsFile}.hover.done`)).catch(() => undefined);
  }

  await test('"Veriline: Verify File" re-verifies the active file', async () => {
    const before = api.statsCount(uri);
    await vscode.commands.executeCommand('veriline.verifyCurrentFile');
    await waitFor('a new veriline/stats for the file', diagTimeoutMs, () => api.statsCount(uri) > before);
    const d = vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && g2Call(x.message) !== undefined);
    assert(d, 'the g2 diagnostic is gone after re-verification');
    return { message: d.message, stats: api.statsCount(uri) - before };
  });

  await test('"Veriline: Restart Server" restarts and verifies again', async () => {
    await vscode.commands.executeCommand('veriline.restartServer');
    const client = api.client();
    assert(client && client.state === 2, `not running after restart: ${api.lastError()}`);
    const d = await waitFor('the diagnostic after restart', diagTimeoutMs, () =>
      vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && g2Call(x.message) !== undefined),
    );
    return { message: d.message };
  });

  await test('"Veriline: Clear Cache" verifies the open files again', async () => {
    const before = api.statsCount(uri);
    await vscode.commands.executeCommand('veriline.clearCacheAndReverify');
    await waitFor('a new veriline/stats after clearing', diagTimeoutMs, () => api.statsCount(uri) > before);
    const d = vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && g2Call(x.message) !== undefined);
    assert(d, 'the g2 diagnostic is gone after clearing the cache');
    return { stats: api.statsCount(uri) - before };
  });

  await test('"Veriline: Verify Workspace" verifies every Python and C file', async () => {
    const other = vscode.Uri.file(path.join(examples, 'python', 'contracts.py'));
    const cfile = vscode.Uri.file(path.join(examples, 'c', 'subtract_loop.c'));
    await vscode.commands.executeCommand('veriline.verifyWorkspace');
    await waitFor('a verification of python/contracts.py', diagTimeoutMs, () => api.statsCount(other) > 0);
    await waitFor('a verification of c/subtract_loop.c', diagTimeoutMs, () => api.statsCount(cfile) > 0);
    const cdiags = vscode.languages.getDiagnostics(cfile).filter((x) => x.source === 'veriline');
    return { contracts: vscode.languages.getDiagnostics(other).filter((x) => x.source === 'veriline').length, c: cdiags.map((x) => `${x.range.start.line + 1}: ${x.message}`) };
  });

  await test('a cached result is shown at the right place in another file', async () => {
    // The same g2, 9 lines further down in a new file: the lemma cache (filled by the runs
    // above) may answer, but the diagnostic must be on this file's loop line.
    const work = process.env.VERILINE_WORK_DIR;
    assert(work, 'VERILINE_WORK_DIR is not set');
    const text = fs.readFileSync(target, 'utf8');
    const shifted = path.join(work, 'shifted_subtract_loop.py');
    fs.writeFileSync(shifted, '# shifted copy\n'.repeat(9) + text);
    const suri = vscode.Uri.file(shifted);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(suri));
    const d = await waitFor('a g2 diagnostic in the shifted file', diagTimeoutMs, () =>
      vscode.languages.getDiagnostics(suri).find((x) => x.source === 'veriline' && g2Call(x.message) !== undefined),
    );
    assert(d.range.start.line === g2Line + 9, `diagnostic on line ${d.range.start.line + 1}, expected ${g2Line + 10}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    return { line: d.range.start.line + 1 };
  });

  await test('a crashed server is restarted', async () => {
    const pid: number | undefined = api.serverPid();
    assert(pid, 'no server process id');
    process.kill(pid, 'SIGKILL');
    await waitFor('a new server process', 60000, () => {
      const p = api.serverPid();
      return p && p !== pid && api.client()?.state === 2 ? p : undefined;
    });
    const d = await waitFor('the diagnostic from the restarted server', diagTimeoutMs, () =>
      vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && g2Call(x.message) !== undefined),
    );
    return { killed: pid, now: api.serverPid(), message: d.message };
  });

  await test('a Python without veriline gives the install command', async () => {
    const fake = process.env.VERILINE_PYTHON_WITHOUT_MODULE;
    assert(fake, 'VERILINE_PYTHON_WITHOUT_MODULE is not set');
    const cfg = vscode.workspace.getConfiguration('veriline');
    const previous = cfg.inspect('server.command')?.globalValue;
    try {
      await cfg.update('server.command', [fake, '-m', 'veriline', 'serve'], vscode.ConfigurationTarget.Global);
      const message = await waitFor('the missing-module message', 60000, () => (api.lastMessage().includes('pip install veriline') ? api.lastMessage() : undefined));
      assert(/not installed/.test(message), message);
      assert(api.statusText().includes('$(error)'), `status is ${api.statusText()}`);
      return { message, status: api.statusText() };
    } finally {
      await cfg.update('server.command', previous, vscode.ConfigurationTarget.Global);
      await waitFor('the server to run again', 60000, () => api.client()?.state === 2 && !api.lastError());
    }
  });

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const summary = { passed, failed, vscode: vscode.version, results };
  if (resultsFile) {
    fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2));
  }
  log(`totals in the extension host — ${passed} passed, ${failed} failed`);
  if (failed > 0) {
    throw new Error(`${failed} test(s) failed`);
  }
}

/** In an untrusted workspace: the extension runs (limited support) and replay is forced off. */
async function runUntrusted(): Promise<void> {
  const uri = vscode.Uri.file(path.join(examples, 'python', 'subtract_loop.py'));
  let api: any;
  await test('untrusted workspace: the extension runs in restricted mode', async () => {
    assert(!vscode.workspace.isTrusted, 'the workspace is trusted');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert(ext, `${EXTENSION_ID} is not installed`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    api = await waitFor('activation', 60000, () => (ext.isActive ? ext.exports : undefined));
    await api.ready();
    await waitFor('the client to be running', 60000, () => api.client()?.state === 2);
    const d = await waitFor('the g2 diagnostic', diagTimeoutMs, () =>
      vscode.languages.getDiagnostics(uri).find((x) => x.source === 'veriline' && g2Call(x.message) !== undefined),
    );
    return { message: d.message };
  });
  await test('untrusted workspace: replay is forced off', async () => {
    const user = vscode.workspace.getConfiguration('veriline').inspect('replay');
    assert(user?.globalValue === true, `the runner should set veriline.replay=true in user settings: ${JSON.stringify(user)}`);
    const sent = api.settingsFor(uri);
    assert(sent.replay === false, `replay sent to the server: ${sent.replay}`);
    // What the server gets when it asks (workspace/configuration goes through our middleware).
    const mw = api.client().clientOptions.middleware.workspace.configuration;
    const answer = mw({ items: [{ section: 'veriline', scopeUri: uri.toString() }, { section: 'veriline.replay' }] }, undefined, undefined);
    assert(answer[0].replay === false && answer[1] === false, `workspace/configuration answer ${JSON.stringify(answer)}`);
    return { sent, answer };
  });
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (resultsFile) {
    fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed, vscode: vscode.version, results }, null, 2));
  }
  log(`totals in the extension host — ${passed} passed, ${failed} failed`);
  if (failed > 0) {
    throw new Error(`${failed} test(s) failed`);
  }
}
