import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process was seen to exit */
  at: number;
}

export interface ServerProcess {
  port: number;
  base: string;
  pid: number;
  output: () => string;
  readyMs: number;
  /** resolves when the process has exited, however it ended */
  exited: Promise<ServerExit>;
  /** true until the process has exited */
  running(): boolean;
  /** Sends `signal` (SIGTERM: graceful close; SIGKILL: a crash) and returns at once. */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then the exit code once it has exited. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** how long to wait for "console ready at" */
  timeoutMs?: number;
  /** listen on this port (a restart behind a balancer keeps its address); default: a free one */
  port?: number;
}

/**
 * Runs `server/main.ts` as `npm start` does, and waits until it says the console is ready.
 * The second argument is the readiness timeout (ms) or options.
 */
export async function startServerProcess(env: Record<string, string>, options: number | StartOptions = 240_000): Promise<ServerProcess> {
  const opts: StartOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const port = opts.port ?? (await freePort());
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    // no demo history unless a test asks (SEED_HISTORY_DAYS): the tests expect the queue the template has
    env: { ...process.env, LOG_LEVEL: 'warn', SEED_HISTORY_DAYS: '0', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let alive = true;
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<ServerExit>((resolve) =>
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal, at: performance.now() });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server not ready after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (out.includes('console ready at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code ?? signal} before it was ready:\n${out}`));
    });
  });
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => out,
    readyMs: performance.now() - started,
    exited,
    running: () => alive,
    kill(signal) {
      if (alive) child.kill(signal);
    },
    async stop() {
      if (alive) child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}
