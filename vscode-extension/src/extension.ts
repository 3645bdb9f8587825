// Veriline for VS Code: starts `veriline serve` and shows its verdicts.
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  ErrorAction,
  ErrorHandlerResult,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { INSTALL_COMMAND, probePython, resolveServerCommand, ServerCommand } from './serverCommand';
import { countsFromLensTitle, Counts, sumCounts, VerilineStatus } from './status';
import { PROOF_SCHEME, ProofDocuments, ProofResult, proofArgsAtCursor } from './proofs';

/** Settings the server reads from the `veriline` section (veriline/config.py). */
export const SERVER_SETTINGS = [
  'timeout',
  'analyses',
  'unknownSeverity',
  'inlayHints',
  'debounceMs',
  'replay',
  'cache',
  'reportUnsignedWrap',
  'reportConversions',
  'crossCheck',
] as const;

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60 * 1000;
const LANGUAGES = ['python', 'c'];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: VerilineStatus;
let starting: Promise<void> | undefined;
const proofs = new ProofDocuments();
let lastCommand: ServerCommand | undefined;
let lastError = '';
let lastMessage = '';

/** What the extension exposes to other extensions and to its tests. */
export interface VerilineApi {
  readonly client: () => LanguageClient | undefined;
  readonly ready: () => Promise<void>;
  readonly statusText: () => string;
  readonly countsFor: (uri: vscode.Uri) => { counts?: Counts; partial: boolean; busy: boolean };
  readonly settingsFor: (scope?: vscode.Uri) => Record<string, unknown>;
  readonly serverCommand: () => ServerCommand | undefined;
  readonly lastError: () => string;
  readonly lastMessage: () => string;
  readonly statsCount: (uri: vscode.Uri) => number;
  readonly serverPid: () => number | undefined;
}

function log(line: string): void {
  output.appendLine(`[${new Date().toISOString()}] ${line}`);
}

/** The settings sent to the server; replay is forced off in an untrusted workspace. */
export function effectiveSettings(scope?: vscode.Uri): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration('veriline', scope);
  const out: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const value = cfg.get(key);
    if (value !== undefined && value !== null) {
      out[key] = value;
    }
  }
  if (!vscode.workspace.isTrusted) {
    out.replay = false;
  }
  return out;
}

async function pushSettings(): Promise<void> {
  const c = client;
  if (c && c.state === State.Running) {
    try {
      await c.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { veriline: effectiveSettings(vscode.workspace.workspaceFolders?.[0]?.uri) },
      });
    } catch (err) {
      log(`Could not send the settings (the server is restarting?): ${String(err)}`);
    }
  }
}

class RestartingErrorHandler {
  private restarts: number[] = [];

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    log(`Connection error: ${error?.message ?? error} (${count ?? 1})`);
    if (count !== undefined && count <= 3) {
      return { action: ErrorAction.Continue, handled: true };
    }
    return { action: ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.push(now);
    if (this.restarts.length <= MAX_RESTARTS) {
      log(`The Veriline server stopped unexpectedly (see its messages above); restarting (${this.restarts.length}/${MAX_RESTARTS} in 3 minutes).`);
      status.setServerState('starting');
      return { action: CloseAction.Restart, handled: true };
    }
    lastMessage = lastError = `the server crashed ${MAX_RESTARTS + 1} times in 3 minutes`;
    log(`The Veriline server crashed ${MAX_RESTARTS + 1} times in the last 3 minutes; not restarting it. Fix the problem shown above, then run "Veriline: Restart Server".`);
    status.setServerState('failed', lastError);
    void vscode.window
      .showErrorMessage(`Veriline: ${lastError}. See the output for why.`, 'Show Output', 'Restart Server')
      .then((pick) => {
        if (pick === 'Show Output') {
          output.show(true);
        } else if (pick === 'Restart Server') {
          void vscode.commands.executeCommand('veriline.restartServer');
        }
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

async function reportStartFailure(cmd: ServerCommand, reason: string, detail: string): Promise<void> {
  lastError = detail;
  status.setServerState('failed', detail);
  log(`Cannot start the Veriline server (${reason}): ${detail}`);
  let message: string;
  if (reason === 'no-module') {
    message = `Veriline: the Python package 'veriline' is not installed for ${cmd.python}. Install it with: ${INSTALL_COMMAND}`;
  } else if (reason === 'no-interpreter') {
    message = `Veriline: cannot run '${cmd.command}' (${cmd.origin}). Install Python 3 and then: ${INSTALL_COMMAND}, or set veriline.server.command.`;
  } else {
    message = `Veriline: the server could not be started with '${[cmd.command, ...cmd.args].join(' ')}': ${detail.split('\n').slice(-1)[0]}. If Veriline is not installed: ${INSTALL_COMMAND}`;
  }
  lastMessage = message;
  log(message);
  const actions = ['Copy Install Command', 'Show Output'];
  if (vscode.extensions.getExtension('ms-python.python')) {
    actions.push('Select Interpreter');
  }
  // Not awaited: the message stays until the user answers, the extension goes on.
  void vscode.window.showErrorMessage(message, ...actions).then(async (pick) => {
    if (pick === 'Copy Install Command') {
      const py = cmd.python && cmd.python !== 'python3' ? `"${cmd.python}" -m ` : '';
      await vscode.env.clipboard.writeText(py ? `${py}${INSTALL_COMMAND}` : INSTALL_COMMAND);
    } else if (pick === 'Show Output') {
      output.show(true);
    } else if (pick === 'Select Interpreter') {
      await vscode.commands.executeCommand('python.setInterpreter');
    }
  });
}

function createClient(cmd: ServerCommand): LanguageClient {
  const cwd = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  const serverOptions: ServerOptions = {
    command: cmd.command,
    args: cmd.args,
    transport: TransportKind.stdio,
    options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    synchronize: { configurationSection: 'veriline' },
    initializationOptions: { veriline: effectiveSettings(vscode.workspace.workspaceFolders?.[0]?.uri) },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: new RestartingErrorHandler(),
    initializationFailedHandler: (error) => {
      log(`Initialization failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    middleware: {
      workspace: {
        // Answer workspace/configuration ourselves so that replay stays off in untrusted folders.
        configuration: (params) =>
          params.items.map((item) => {
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const all = effectiveSettings(scope);
            if (!item.section || item.section === 'veriline') {
              return all;
            }
            if (item.section.startsWith('veriline.')) {
              const key = item.section.slice('veriline.'.length);
              return key in all ? all[key] : vscode.workspace.getConfiguration('veriline', scope).get(key) ?? null;
            }
            return vscode.workspace.getConfiguration(undefined, scope).get(item.section) ?? null;
          }),
        // Push the same (trust-filtered) settings instead of the raw configuration section.
        didChangeConfiguration: async () => {
          await pushSettings();
        },
      },
      handleDiagnostics: (uri, diagnostics, next) => {
        status.onDiagnostics(uri.toString(), diagnostics);
        next(uri, diagnostics);
      },
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        if (lenses && lenses.length > 0) {
          const counts = lenses.map((l) => (l.command ? countsFromLensTitle(l.command.title) : undefined));
          if (counts.every((c) => c !== undefined)) {
            status.onLensCounts(document.uri.toString(), sumCounts(counts as Counts[]));
          }
        }
        return lenses;
      },
      didOpen: async (document, next) => {
        status.setBusy(document.uri.toString(), true);
        return next(document);
      },
      didChange: async (event, next) => {
        if (event.contentChanges.length > 0) {
          status.setBusy(event.document.uri.toString(), true);
        }
        return next(event);
      },
      executeCommand: async (command, args, next) => {
        // The "Show proof obligation" code action: the server returns the text, shown here.
        if (command === 'veriline.showProof' && args.length >= 2) {
          const result = (await next(command, args)) as ProofResult | undefined;
          await proofs.show(String(args[0]), Number(args[1]), result);
          return result;
        }
        // Commands from the palette come without arguments: use the active editor.
        if (command === 'veriline.verifyFile' && args.length === 0) {
          const editor = vscode.window.activeTextEditor;
          if (editor) {
            args = [editor.document.uri.toString()];
          }
        }
        return next(command, args);
      },
    },
  };
  const c = new LanguageClient('veriline', 'Veriline', serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      status.setServerState('running');
      log('The Veriline server is running.');
    } else if (e.newState === State.Starting) {
      status.setServerState('starting');
    } else if (e.newState === State.Stopped && status) {
      status.setServerState(lastError ? 'failed' : 'stopped', lastError);
    }
  });
  return c;
}

async function startServer(): Promise<void> {
  lastError = '';
  lastMessage = '';
  status.setServerState('starting');
  const cmd = await resolveServerCommand(log);
  lastCommand = cmd;
  log(`Starting the Veriline server: ${[cmd.command, ...cmd.args].join(' ')} (${cmd.origin})`);
  if (cmd.python) {
    const cwd = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const probe = await probePython(cmd.python, cwd);
    if (!probe.ok) {
      await reportStartFailure(cmd, probe.reason, probe.detail);
      return;
    }
    log(`veriline ${probe.version ?? ''} found for ${cmd.python}`);
  }
  const c = createClient(cmd);
  client = c;
  c.onNotification('veriline/stats', (payload: any) => {
    status.onStats(payload);
  });
  try {
    await c.start();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    client = undefined;
    await reportStartFailure(cmd, /ENOENT/.test(detail) ? 'no-interpreter' : 'error', detail);
  }
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (err) {
      log(`Stopping the server: ${String(err)}`);
    }
  }
}

async function restartServer(): Promise<void> {
  await starting;
  log('Restarting the Veriline server.');
  await stopServer();
  starting = startServer();
  await starting;
}

async function runServerCommand(command: string, args: unknown[]): Promise<unknown> {
  await starting;
  if (!client || client.state !== State.Running) {
    void vscode.window.showWarningMessage('Veriline: the server is not running. See the output.', 'Show Output').then((p) => {
      if (p) {
        output.show(true);
      }
    });
    return undefined;
  }
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
}

async function verifyFile(uri?: vscode.Uri): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage('Veriline: open a Python or C file to verify it.');
    return;
  }
  const doc = await vscode.workspace.openTextDocument(target);
  if (!LANGUAGES.includes(doc.languageId)) {
    void vscode.window.showInformationMessage('Veriline verifies Python and C files only.');
    return;
  }
  status.setBusy(target.toString(), true);
  await runServerCommand('veriline.verifyFile', [target.toString()]);
}

async function verifyWorkspace(): Promise<void> {
  const exclude = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/__pycache__/**,**/site-packages/**,**/build/**,**/dist/**}';
  const limit = 500;
  const files = await vscode.workspace.findFiles('**/*.{py,c}', exclude, limit + 1);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Veriline: no Python or C files in the workspace.');
    return;
  }
  if (files.length > limit) {
    void vscode.window.showWarningMessage(`Veriline: verifying the first ${limit} files only.`);
    files.length = limit;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Veriline: verifying the workspace', cancellable: true },
    async (progress, token) => {
      let done = 0;
      for (const uri of files) {
        if (token.isCancellationRequested) {
          break;
        }
        progress.report({ message: vscode.workspace.asRelativePath(uri), increment: 100 / files.length });
        // Opening a document sends didOpen, which makes the server verify it.
        await vscode.workspace.openTextDocument(uri);
        done += 1;
      }
      log(`Verify workspace: opened ${done} file(s) for verification; results appear in the Problems view.`);
    },
  );
  void vscode.commands.executeCommand('workbench.actions.view.problems');
}

export async function activate(context: vscode.ExtensionContext): Promise<VerilineApi> {
  output = vscode.window.createOutputChannel('Veriline');
  status = new VerilineStatus('veriline.showOutput');
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand('veriline.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('veriline.restartServer', () => restartServer()),
    vscode.commands.registerCommand('veriline.verifyCurrentFile', (uri?: vscode.Uri) => verifyFile(uri)),
    vscode.commands.registerCommand('veriline.verifyWorkspace', () => verifyWorkspace()),
    vscode.workspace.registerTextDocumentContentProvider(PROOF_SCHEME, proofs),
    vscode.commands.registerCommand('veriline.showProofAtCursor', async () => {
      const args = proofArgsAtCursor();
      if (!args) {
        void vscode.window.showInformationMessage('Veriline: put the cursor on a finding first.');
        return;
      }
      const result = (await runServerCommand('veriline.showProof', args)) as ProofResult | undefined;
      await proofs.show(args[0], args[1], result);
    }),
    vscode.commands.registerCommand('veriline.clearCacheAndReverify', async () => {
      await runServerCommand('veriline.clearCache', []);
      log('Cleared the verification cache; open files are verified again.');
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log('The workspace is now trusted: replay follows the veriline.replay setting.');
      void pushSettings();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('veriline.server.command')) {
        log('veriline.server.command changed: restarting the server.');
        void restartServer();
      }
    }),
    { dispose: () => void stopServer() },
  );

  const pythonExt = vscode.extensions.getExtension('ms-python.python');
  const envApi: any = pythonExt?.isActive ? pythonExt.exports : undefined;
  if (envApi?.environments?.onDidChangeActiveEnvironmentPath) {
    context.subscriptions.push(
      envApi.environments.onDidChangeActiveEnvironmentPath(() => {
        if (lastCommand?.python) {
          log('The selected Python interpreter changed: restarting the server.');
          void restartServer();
        }
      }),
    );
  }

  if (!vscode.workspace.isTrusted) {
    log('Untrusted workspace: replay (which runs your code) is off, and veriline.server.command is taken from user settings only.');
  }
  starting = startServer();
  return {
    client: () => client,
    ready: async () => {
      await starting;
    },
    statusText: () => status.text(),
    countsFor: (uri) => status.countsFor(uri.toString()),
    settingsFor: (scope) => effectiveSettings(scope),
    serverCommand: () => lastCommand,
    lastError: () => lastError,
    lastMessage: () => lastMessage,
    statsCount: (uri) => status.statsCount(uri.toString()),
    serverPid: () => (client as any)?._serverProcess?.pid,
  };
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
