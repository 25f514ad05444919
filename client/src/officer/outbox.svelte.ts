// Steps taken on the phone wait here until the server has them: in order, each once. A step sent
// while the network is down (or whose answer was lost) stays queued with its idempotency key and is
// sent again when the network is back; the server answers a resend without taking the step twice.
// The queue lives in localStorage, so a reload (or a phone that kills the tab) does not lose it.
import { api, ApiError, errorText } from '../common/api.ts';
import type { CaseAction, CaseView, StepRequest } from '../common/cases/types.ts';

const RETRY_MS = 5000;

export interface QueuedStep {
  key: string;
  caseId: number;
  code: string;
  action: CaseAction;
  body: StepRequest;
  at: number;
  /** the last failure, if sending was tried */
  error?: string;
}

export interface Rejected {
  step: QueuedStep;
  message: string;
}

class Outbox {
  items = $state<QueuedStep[]>([]);
  /** steps the server refused (a case reassigned meanwhile): shown, not resent */
  rejected = $state<Rejected[]>([]);
  sending = $state(false);
  /** steps the server has taken from this queue (a fetch begun before one may be stale) */
  sentTotal = 0;
  /** called with the case as the server answered each step */
  onSent: ((view: CaseView, step: QueuedStep) => void) | null = null;

  private storageKey: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    window.addEventListener('online', () => void this.drain());
  }

  /** Load the queue of this user (after login or a reload) and try to send it. */
  open(userId: number): void {
    this.storageKey = `zhihui.outbox.${userId}`;
    try {
      this.items = JSON.parse(localStorage.getItem(this.storageKey) ?? '[]') as QueuedStep[];
    } catch {
      this.items = [];
    }
    this.rejected = [];
    void this.drain();
  }

  close(): void {
    this.storageKey = null;
    this.items = [];
    this.rejected = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  add(step: Omit<QueuedStep, 'key' | 'at'>): QueuedStep {
    const q: QueuedStep = { ...step, key: crypto.randomUUID(), at: Date.now() };
    this.items = [...this.items, q];
    this.save();
    void this.drain();
    return q;
  }

  /** Send the queue front to back; stop at a network failure and try again later. */
  async drain(): Promise<void> {
    if (this.sending || !this.storageKey || this.items.length === 0) return;
    // the phone says it has no network: wait for its 'online' event (and still retry now and then,
    // as phones do not always notice a network coming back)
    if (!navigator.onLine) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        void this.drain();
      }, RETRY_MS);
      return;
    }
    this.sending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      while (this.items.length > 0) {
        // the network went while the step before was on its way: wait for it, as at the start
        if (!navigator.onLine) {
          this.timer = setTimeout(() => void this.drain(), RETRY_MS);
          return;
        }
        const head = this.items[0]!;
        try {
          const view = await api.step(head.caseId, head.action, head.body, head.key);
          this.items = this.items.slice(1);
          this.sentTotal += 1;
          this.save();
          this.onSent?.(view, head);
        } catch (err) {
          if (err instanceof ApiError && err.status !== null && err.status < 500 && err.status !== 401 && err.status !== 429) {
            // the server read it and said no: resending will not change that
            this.items = this.items.slice(1);
            this.rejected = [...this.rejected, { step: head, message: errorText(err) }];
            this.save();
            continue;
          }
          this.items = [{ ...head, error: errorText(err) }, ...this.items.slice(1)];
          this.save();
          this.timer = setTimeout(() => void this.drain(), RETRY_MS);
          return;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private save(): void {
    if (this.storageKey) localStorage.setItem(this.storageKey, JSON.stringify(this.items));
  }
}

export const outbox = new Outbox();
