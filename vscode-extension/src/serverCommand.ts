// Which command starts `veriline serve`, and whether it can start at all.
import * as vscode from 'vscode';
import { spawn } from 'child_process';

export interface ServerCommand {
  command: string;
  args: string[];
  /** How the command was chosen, for the output channel. */
  origin: string;
  /** The Python interpreter, when the command is `<python> -m veriline serve`. */
  python?: string;
}

export const INSTALL_COMMAND = 'pip install veriline';

/** Splits a command line on whitespace, honouring simple double or single quotes. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

/** The configured `veriline.server.command` as argv, or undefined when unset (automatic). */
export function configuredCommand(cfg: vscode.WorkspaceConfiguration): string[] | undefined {
  const raw = cfg.get<unknown>('server.command');
  let argv: string[] = [];
  if (Array.isArray(raw)) {
    argv = raw.filter((x): x is string => typeof x === 'string' && x.length > 0);
  } else if (typeof raw === 'string') {
    argv = splitCommandLine(raw.trim());
  }
  return argv.length > 0 ? argv : undefined;
}

/** The interpreter the Python extension (ms-python.python) selected, if it is installed. */
export async function pythonFromExtension(resource: vscode.Uri | undefined, log: (s: string) => void): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) {
    return undefined;
  }
  try {
    const api: any = ext.isActive ? ext.exports : await ext.activate();
    if (api?.environments?.getActiveEnvironmentPath) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      let env = active;
      if (api.environments.resolveEnvironment) {
        env = (await api.environments.resolveEnvironment(active)) ?? active;
      }
      const exe: string | undefined = env?.executable?.uri?.fsPath ?? env?.path ?? active?.path;
      if (exe) {
        return exe;
      }
    }
    if (api?.settings?.getExecutionDetails) {
      const details = api.settings.getExecutionDetails(resource);
      const cmd: string[] | undefined = details?.execCommand;
      if (cmd && cmd.length > 0 && cmd[0]) {
        return cmd[0];
      }
    }
  } catch (err) {
    log(`The Python extension did not give an interpreter: ${String(err)}`);
  }
  return undefined;
}

export async function resolveServerCommand(log: (s: string) => void): Promise<ServerCommand> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const cfg = vscode.workspace.getConfiguration('veriline', folder);
  const custom = configuredCommand(cfg);
  if (custom) {
    // `<python> -m veriline ...`: probe that interpreter like the automatic choice.
    const python = custom[1] === '-m' && custom[2] === 'veriline' ? custom[0] : undefined;
    return { command: custom[0], args: custom.slice(1), origin: 'setting veriline.server.command', python };
  }
  const fromExt = await pythonFromExtension(folder, log);
  if (fromExt) {
    return { command: fromExt, args: ['-m', 'veriline', 'serve'], origin: 'interpreter selected in the Python extension', python: fromExt };
  }
  return { command: 'python3', args: ['-m', 'veriline', 'serve'], origin: 'default (python3 on PATH)', python: 'python3' };
}

export type ProbeResult =
  | { ok: true; version?: string }
  | { ok: false; reason: 'no-interpreter' | 'no-module' | 'error'; detail: string };

/** Checks that `python -m veriline` can run, without starting the server. */
export function probePython(python: string, cwd: string | undefined, timeoutMs = 20000): Promise<ProbeResult> {
  const code = [
    'import importlib.util, sys',
    'spec = importlib.util.find_spec("veriline")',
    'if spec is None: sys.exit(3)',
    'import veriline',
    'print(getattr(veriline, "__version__", "?"))',
  ].join('\n');
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let done = false;
    const finish = (r: ProbeResult) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    let child;
    try {
      child = spawn(python, ['-c', code], { cwd, shell: false });
    } catch (e) {
      finish({ ok: false, reason: 'no-interpreter', detail: String(e) });
      return;
    }
    const timer = setTimeout(() => {
      child.kill();
      finish({ ok: false, reason: 'error', detail: `${python} did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      finish({ ok: false, reason: e.code === 'ENOENT' ? 'no-interpreter' : 'error', detail: String(e) });
    });
    child.on('close', (code: number | null) => {
      clearTimeout(timer);
      if (code === 0) {
        finish({ ok: true, version: out.trim() });
      } else if (code === 3) {
        finish({ ok: false, reason: 'no-module', detail: `No module named 'veriline' for ${python}` });
      } else {
        finish({ ok: false, reason: 'error', detail: (err || out).trim() || `exit code ${code}` });
      }
    });
  });
}
