// Alert tones made with Web Audio: no sound files to ship, and they work offline. Browsers only
// let a page make sound after a user gesture; the login click is one, so a logged-in console can.
import { countSoundHook } from './test-hook.ts';

const STORAGE_KEY = 'zhihui.sound';

export type AlertKind = 'urgent' | 'alert';

/** two-tone patterns: [frequency Hz, start s, length s] */
const PATTERNS: Record<AlertKind, [number, number, number][]> = {
  urgent: [
    [880, 0, 0.18],
    [1320, 0.22, 0.18],
    [880, 0.44, 0.18],
    [1320, 0.66, 0.25],
  ],
  alert: [
    [660, 0, 0.3],
    [440, 0.35, 0.4],
  ],
};

let ctx: AudioContext | null = null;
let lastAt = 0;

export const sound = {
  get enabled(): boolean {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  },
  set enabled(on: boolean) {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  },
};

export function playAlert(kind: AlertKind): void {
  if (!sound.enabled) return;
  const now = performance.now();
  // a burst of cases (a reconnect, a simulator) sounds once, not once per case
  if (now - lastAt < 1500) return;
  lastAt = now;
  countSoundHook(); // browser tests cannot hear
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
    const t0 = ctx.currentTime + 0.02;
    for (const [freq, start, len] of PATTERNS[kind]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + len);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + len + 0.05);
    }
  } catch {
    // no audio device (a headless wall PC): the flash still shows
  }
}
