// The officer phone's state: duty, my cases (dispatches), my position and the photos I am taking.
import { api, ApiError, errorText } from '../common/api.ts';
import type { ApplyContext } from '../common/live-client.svelte.ts';
import { session } from '../common/session.svelte.ts';
import type { DutyStatus } from '../common/api-types.ts';
import type { CaseView, LiveEvent } from '../common/cases/types.ts';
import { STEPS } from '#shared/cases/state-machine.ts';
import { isInField } from '#shared/cases/states.ts';
import { outbox } from './outbox.svelte.ts';
import { playAlert } from '../common/alert-sound.ts';

/** the server keeps one fix a second; a phone on a case sends every few seconds, otherwise rarely */
export const POSITION_INTERVAL_MS = 5000;
export const IDLE_POSITION_INTERVAL_MS = 60_000;
const MAX_PHOTO_EDGE = 2048;
const SHRINK_ABOVE_BYTES = 1_500_000;

export interface Fix {
  lon: number;
  lat: number;
  accuracy: number;
  at: number;
}

export interface Photo {
  key: string;
  url: string;
  status: 'uploading' | 'done' | 'error';
  evidenceId?: number;
  error?: string;
}

export interface Banner {
  tone: 'alert' | 'info' | 'warn';
  zh: string;
  en: string;
  at: number;
}

class OfficerStore {
  duty = $state<DutyStatus | null>(null);
  name = $state<string | null>(null);
  squad = $state<string | null>(null);
  /** my cases as the server last said (kept in localStorage for a reload without network) */
  serverCases = $state<CaseView[]>([]);
  /** …with the steps still waiting in the outbox applied, which is what the phone shows */
  cases = $derived(this.serverCases.map((c) => withQueuedSteps(c)));
  loaded = $state(false);
  fix = $state<Fix | null>(null);
  gpsError = $state<string | null>(null);
  lastSentAt = $state<number | null>(null);
  sendError = $state<string | null>(null);
  banner = $state<Banner | null>(null);
  photos = $state<Record<number, Photo[]>>({});

  /** the case I am working on now: my dispatch is pending or accepted */
  current = $derived.by(() => {
    const me = session.user?.officerId;
    const mine = this.cases.filter(
      (c) => isInField(c.state) && c.officers.some((o) => o.officerId === me && (o.dispatchState === 'pending' || o.dispatchState === 'accepted')),
    );
    return mine.sort((a, b) => b.priority - a.priority)[0] ?? null;
  });
  /** my other open cases (handed in and waiting for verification, or queued behind the current one) */
  others = $derived(this.cases.filter((c) => c.id !== this.current?.id));

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private casesGeneration = 0;
  private sendTimer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  /** the originals, for a retry after a failed upload */
  private files = new Map<string, File>();

  reset(): void {
    this.duty = null;
    this.name = null;
    this.squad = null;
    this.serverCases = [];
    this.loaded = false;
    this.banner = null;
    for (const list of Object.values(this.photos)) list.forEach((p) => URL.revokeObjectURL(p.url));
    this.photos = {};
    this.files.clear();
    this.lastSentAt = null;
    this.sendError = null;
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = null;
  }

  /** Cases and duty from the server (the live client's resync: at the start, and after a long absence). */
  async resync(): Promise<void> {
    await Promise.all([this.loadCases(), this.loadDuty()]);
  }

  async loadCases(): Promise<void> {
    const key = `zhihui.officer.cases.${session.user?.id ?? 0}`;
    const sentBefore = outbox.sentTotal;
    const gen = ++this.casesGeneration;
    try {
      const list = await api.openIncidents(50);
      // begun before a step reached the server (or overtaken by a newer fetch): it shows the past
      if (gen !== this.casesGeneration) return;
      if (outbox.sentTotal !== sentBefore) {
        this.scheduleRefresh();
        return;
      }
      this.serverCases = list;
      localStorage.setItem(key, JSON.stringify(this.serverCases));
    } catch (err) {
      // no network: show what we had, the outbox brings the steps in when it is back
      if (!this.loaded) this.serverCases = JSON.parse(localStorage.getItem(key) ?? '[]') as CaseView[];
      this.loaded = true;
      throw err;
    }
    this.loaded = true;
  }

  async loadDuty(): Promise<void> {
    if (!session.user?.officerId) return;
    const me = await api.officerMe();
    this.duty = me.dutyStatus;
    this.name = me.name;
    this.squad = me.squadName;
  }

  /** A step's answer: the case as the server has it now. */
  acceptView(view: CaseView): void {
    const { allowedSteps: _steps, ...row } = view;
    this.serverCases = this.serverCases.some((c) => c.id === row.id) ? this.serverCases.map((c) => (c.id === row.id ? row : c)) : [...this.serverCases, row];
  }

  scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = null;
      void Promise.all([this.loadCases(), this.loadDuty()]).catch(() => {});
    }, 150);
  }

  applyEvent(e: LiveEvent, ctx: ApplyContext): void {
    const me = session.user?.officerId;
    if (e.type === 'officer.duty') {
      if (e.officerIds.includes(me ?? -1) && typeof e.payload.to === 'string') this.duty = e.payload.to as DutyStatus;
      return;
    }
    // the phone draws no city layers: a new map version is the console's business
    if (e.type === 'map.updated') return;
    // an administrator changed this officer's record (squad, certificate): read it again
    if (e.type === 'roster.updated') {
      if (e.payload.officerId !== null && e.payload.officerId === me) this.scheduleRefresh();
      return;
    }
    if (e.incidentId === null) return;
    this.scheduleRefresh();
    if (ctx.silent || !e.officerIds.includes(me ?? -1)) return;
    const code = typeof e.payload.code === 'string' ? e.payload.code : '';
    const say = (tone: Banner['tone'], zh: string, en: string) => (this.banner = { tone, zh, en, at: Date.now() });
    switch (e.type) {
      case 'incident.dispatched':
        say('alert', `新派遣 ${code}`, 'New dispatch');
        buzz([300, 120, 300, 120, 300]);
        playAlert('urgent');
        break;
      case 'incident.reassigned': {
        const mine = Array.isArray(e.payload.officerIds) && (e.payload.officerIds as unknown[]).includes(me);
        if (mine) {
          say('alert', `新派遣（改派）${code}`, 'New dispatch (reassigned)');
          buzz([300, 120, 300, 120, 300]);
          playAlert('urgent');
        } else say('warn', `案件已改派他人 ${code}`, 'Reassigned to another officer');
        break;
      }
      case 'incident.reworked':
        say('alert', `返工 ${code}`, 'Sent back for rework');
        buzz([300, 120, 300]);
        break;
      case 'incident.dispatch_timed_out':
        say('warn', `接单超时，已退回 ${code}`, 'Acceptance timed out; returned to the dispatcher');
        break;
      case 'incident.suspended':
        say('warn', `案件已挂账 ${code}`, 'Case suspended');
        break;
      case 'incident.closed':
        say('info', `已核查结案 ${code}`, 'Verified and closed');
        break;
      case 'incident.extended':
        say('info', `期限已延长 ${code}`, 'Deadline extended');
        break;
      default:
        break;
    }
  }

  // ---- position ----------------------------------------------------------------------------------

  onFix(pos: GeolocationPosition): void {
    this.fix = { lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy, at: pos.timestamp || Date.now() };
    this.gpsError = null;
    this.maybeSend();
  }

  onGpsError(err: GeolocationPositionError): void {
    this.gpsError =
      err.code === err.PERMISSION_DENIED
        ? '未授权定位 location permission denied'
        : err.code === err.TIMEOUT
          ? '定位超时 location timed out'
          : '定位不可用 location unavailable';
  }

  /** Send the newest fix, at most once every POSITION_INTERVAL_MS (a 429 just waits for the next). */
  private maybeSend(): void {
    if (this.sending || this.sendTimer || !this.fix) return;
    const wait = this.lastSentAt === null ? 0 : this.lastSentAt + this.positionInterval() - Date.now();
    if (wait > 0) {
      this.sendTimer = setTimeout(() => {
        this.sendTimer = null;
        this.maybeSend();
      }, wait);
      return;
    }
    const fix = this.fix;
    this.sending = true;
    this.lastSentAt = Date.now();
    api
      .postPosition({ lon: fix.lon, lat: fix.lat, accuracy: Math.min(100_000, Math.round(fix.accuracy)) })
      .then(() => (this.sendError = null))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 429) return; // too soon for the server: the next fix goes
        this.sendError = errorText(err);
      })
      .finally(() => {
        this.sending = false;
      });
  }

  /** every few seconds while on a case (the dispatcher watches me approach), rarely otherwise */
  positionInterval(): number {
    return this.current ? POSITION_INTERVAL_MS : IDLE_POSITION_INTERVAL_MS;
  }

  stopPositions(): void {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = null;
  }

  /** Position for a step's record, if recent. */
  stepPosition(): { lon: number; lat: number } | Record<string, never> {
    return this.fix && Date.now() - this.fix.at < 120_000 ? { lon: this.fix.lon, lat: this.fix.lat } : {};
  }

  // ---- photos ------------------------------------------------------------------------------------

  async addPhotos(caseId: number, files: File[]): Promise<void> {
    for (const file of files) {
      const photo: Photo = { key: `${Date.now()}-${Math.random()}`, url: URL.createObjectURL(file), status: 'uploading' };
      this.photos[caseId] = [...(this.photos[caseId] ?? []), photo];
      this.files.set(photo.key, file);
      void this.upload(caseId, photo.key, file);
    }
  }

  async retryPhoto(caseId: number, key: string): Promise<void> {
    const file = this.files.get(key);
    if (file) await this.upload(caseId, key, file);
  }

  private async upload(caseId: number, key: string, file: File): Promise<void> {
    const set = (patch: Partial<Photo>) => {
      const list = this.photos[caseId] ?? [];
      this.photos[caseId] = list.map((p) => (p.key === key ? { ...p, ...patch } : p));
    };
    set({ status: 'uploading', error: undefined });
    try {
      const small = await shrink(file);
      const [saved] = await api.uploadEvidence(caseId, [small]);
      set({ status: 'done', evidenceId: saved?.id });
    } catch (err) {
      set({ status: 'error', error: errorText(err) });
    }
  }

  removePhoto(caseId: number, key: string): void {
    const list = this.photos[caseId] ?? [];
    const p = list.find((x) => x.key === key);
    if (p) URL.revokeObjectURL(p.url);
    this.files.delete(key);
    this.photos[caseId] = list.filter((x) => x.key !== key);
  }

  /** Every photo of the case the server has: uploaded here and already on the case. */
  evidenceIds(c: CaseView): number[] {
    const ids = new Set(c.evidence.map((e) => e.id));
    for (const p of this.photos[c.id] ?? []) if (p.evidenceId) ids.add(p.evidenceId);
    return [...ids];
  }
}

/** A case as it will be once the queued steps reach the server. */
function withQueuedSteps(c: CaseView): CaseView {
  let state = c.state;
  for (const q of outbox.items) {
    if (q.caseId !== c.id) continue;
    const to = STEPS[q.action].to;
    if (to) state = to;
  }
  return state === c.state ? c : { ...c, state };
}

function buzz(pattern: number[]): void {
  try {
    navigator.vibrate?.(pattern);
  } catch {
    /* not supported */
  }
}

/** Phone photos are large: send at most 2048 px JPEG when the original is over 1.5 MB. */
export async function shrink(file: File): Promise<File> {
  if (file.size <= SHRINK_ABOVE_BYTES || typeof createImageBitmap !== 'function') return file;
  try {
    const bmp = await createImageBitmap(file);
    const scale = Math.min(1, MAX_PHOTO_EDGE / Math.max(bmp.width, bmp.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bmp.width * scale);
    canvas.height = Math.round(bmp.height * scale);
    canvas.getContext('2d')?.drawImage(bmp, 0, 0, canvas.width, canvas.height);
    bmp.close();
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.85));
    if (!blob || blob.size >= file.size) return file;
    return new File([blob], file.name.replace(/\.\w+$/, '') + '.jpg', { type: 'image/jpeg' });
  } catch {
    return file;
  }
}

export const officer = new OfficerStore();
