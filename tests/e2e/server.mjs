// Starts huiyin for the browser tests: builds the binary if none is given, loads the demo data into a
// fresh SQLite database in a temporary folder, creates an admin API token and serves on a free port.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The huiyin binary: $HUIYIN_BIN (cargo test sets it), else `cargo build` and the debug binary. */
function binary() {
  if (process.env.HUIYIN_BIN) return process.env.HUIYIN_BIN;
  execFileSync('cargo', ['build', '--bin', 'huiyin'], { cwd: repo, stdio: 'inherit' });
  const target = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
  const bin = path.join(target, 'debug', 'huiyin');
  if (!existsSync(bin)) throw new Error(`cargo build did not produce ${bin}`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base, child, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`huiyin serve exited early:\n${log()}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`huiyin did not answer /healthz within 60 s:\n${log()}`);
}

/** A running server over the demo data: { base, token, stop() }. */
export async function startDemoServer() {
  const bin = binary();
  const dir = mkdtempSync(path.join(tmpdir(), 'huiyin-e2e-'));
  const port = await freePort();
  const env = {
    ...process.env,
    HUIYIN_DATABASE_URL: `sqlite://${path.join(dir, 'huiyin.db')}`,
    HUIYIN_LISTEN: `127.0.0.1:${port}`,
    HUIYIN_SMTP__DRY_RUN_DIR: path.join(dir, 'mail'),
    // The browser test pauses a message (待补充材料), which the default policy does not allow.
    HUIYIN_HANDLING__PAUSE: 'free',
    // The browser test has the department's supervisor grant an extension: the department-approver
    // mode (the default, "office", is covered by the API tests in tests/api/handling_rules.rs).
    HUIYIN_HANDLING__EXTENSION_APPROVER: 'department',
    RUST_LOG: 'warn',
  };
  const run = (args) => execFileSync(bin, args, { cwd: repo, env, encoding: 'utf8' });
  run(['demo']);
  const token = run(['token', 'create', '--name', 'e2e', '--role', 'admin']).trim().split('\n').pop().trim();
  let output = '';
  const child = spawn(bin, ['serve'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, () => output);
  return {
    base,
    token,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to the API with the token. */
export async function api(server, method, pathname, body) {
  const res = await fetch(`${server.base}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
