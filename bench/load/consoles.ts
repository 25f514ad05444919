// Consoles for bench/intake-socket.ts and bench/avl.ts, many to a process, several processes: real
// socket.io clients (socket.io-client, websocket only) with a lean parser that does not decode what the
// server sends. An event's arrival is timed from its text: the sender's wall-clock stamp (ms, from
// performance.timeOrigin + now(), comparable across processes of one machine) is read with indexOf.
//   args: base token sockets mode(intake|avl)
//   stdin: "go" (load starts: CPU counted from here), "stop" (drain, then print the summary and exit)
import { EventEmitter } from 'node:events';
import readline from 'node:readline';
import { io, type Socket } from 'socket.io-client';

const [base, token, socketsArg, mode] = process.argv.slice(2) as [string, string, string, 'intake' | 'avl'];
const SOCKETS = Number(socketsArg);
const now = () => performance.timeOrigin + performance.now();

/**
 * socket.io's packet format (`<type>[<nsp>,][<id>]<json>`), decoding only what the client itself needs
 * (connect, errors): an event's arguments stay one string, `[name, text]`.
 */
class LeanEncoder {
  encode(packet: { type: number; nsp: string; id?: number; data?: unknown }): string[] {
    return [`${packet.type}${packet.nsp !== '/' ? `${packet.nsp},` : ''}${packet.id ?? ''}${packet.data === undefined ? '' : JSON.stringify(packet.data)}`];
  }
}
class LeanDecoder extends EventEmitter {
  add(chunk: unknown): void {
    if (typeof chunk !== 'string') return; // no binary packets in this feed
    const type = Number(chunk[0]);
    if (type === 2) {
      // 2["name",…]: the name is the first string; the rest is left as text
      const end = chunk.indexOf('"', 3);
      this.emit('decoded', { type, nsp: '/', data: [chunk.slice(3, end), chunk] });
      return;
    }
    const body = chunk.slice(1);
    this.emit('decoded', { type, nsp: '/', data: body ? (JSON.parse(body) as unknown) : undefined });
  }
  destroy(): void {}
}
const parser = { Encoder: LeanEncoder, Decoder: LeanDecoder, protocol: 5 };

/** latencies in 0.1 ms buckets (merged by the parent), and per stamp the first arrival */
const hist = new Map<number, number>();
const first = new Map<string, number>();
let deliveries = 0;
let batches = 0;
let items = 0;
let counting = false;
const note = (stamp: string | null, sent: number) => {
  const dt = now() - sent;
  const b = Math.round(dt * 10);
  hist.set(b, (hist.get(b) ?? 0) + 1);
  deliveries++;
  if (stamp === null) return;
  const f = first.get(stamp);
  if (f === undefined || dt < f) first.set(stamp, dt);
};

function onIntake(text: string): void {
  // sourceRef "bench-<i>-<sent ms>"
  const at = text.indexOf('"sourceRef":"bench-');
  if (at < 0) return;
  const start = at + 19;
  const end = text.indexOf('"', start);
  const ref = text.slice(start, end);
  note(ref, Number(ref.slice(ref.indexOf('-') + 1)));
}

function onPositions(text: string): void {
  // each fix's `at` is when the server stored it (ms): stored → console
  batches++;
  let from = 0;
  for (;;) {
    const at = text.indexOf('"at":"', from);
    if (at < 0) break;
    const end = text.indexOf('"', at + 6);
    const stamp = text.slice(at + 6, end);
    items++;
    if (counting) note(null, Date.parse(stamp));
    from = end;
  }
}

const sockets: Socket[] = [];
await Promise.all(
  Array.from(
    { length: SOCKETS },
    () =>
      new Promise<void>((resolve, reject) => {
        const s = io(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, parser } as never);
        if (mode === 'intake') s.on('event', (text: string) => onIntake(text));
        else s.on('positions', (text: string) => onPositions(text));
        s.once('ready', () => resolve());
        s.once('connect_error', reject);
        sockets.push(s);
      }),
  ),
);
process.stdout.write('ready\n');

let cpu0 = process.cpuUsage();
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'go') {
    cpu0 = process.cpuUsage();
    counting = true;
  } else if (line.startsWith('stop')) {
    const expected = Number(line.split(' ')[1] ?? 0);
    const deadline = Date.now() + 10_000;
    const wait = setInterval(() => {
      if (expected && deliveries < expected && Date.now() < deadline) return;
      clearInterval(wait);
      const cpu = process.cpuUsage(cpu0);
      for (const s of sockets) s.close();
      const summary = { deliveries, batches, items, cpuSeconds: (cpu.user + cpu.system) / 1e6, hist: [...hist], first: [...first] };
      process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0));
    }, 50);
  }
});
