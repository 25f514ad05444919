// Open cases as the console knows them, the selected case with its record, and the wall's toasts.
// Live events update a case at once from their payload (state, deadline) and then refetch it, so the
// view always ends at what the server says.
import { api, ApiError, errorText } from '../../common/api.ts';
import { reportError } from '../../common/errors.svelte.ts';
import type { Bi } from '../../common/i18n.ts';
import type { ApplyContext } from '../../common/live-client.svelte.ts';
import { alertTone, eventLabel } from '../../common/cases/labels.ts';
import { byUrgency, emptyFilter, isFiltered, matches, type QueueFilter } from './queue-filter.ts';
import { playAlert } from '../../common/alert-sound.ts';
import type { CaseState, CaseView, LiveEvent, PositionUpdate } from '../../common/cases/types.ts';
import type { CaseMapSink } from '../map/context.ts';
import { CASE_STATES, isFinal } from '#shared/cases/states.ts';

const FLASH_MS = 12_000;
const REFRESH_DELAY_MS = 120;
const TOAST_MS = { alert: 30_000, warn: 15_000, info: 8_000 } as const;
const MAX_TOASTS = 5;
/** a new case at or above this priority sounds and flashes (紧急) */
export const URGENT_PRIORITY = 70;

export interface Toast {
  key: string;
  tone: 'alert' | 'warn' | 'info';
  title: Bi;
  body: string;
  incidentId: number | null;
  at: number;
  until: number;
}

class CaseStore {
  // Thousands of open cases: kept as plain objects (no per-field proxies), replaced, never mutated;
  // `version` tells Svelte the set changed.
  private readonly open = new Map<number, CaseView>();
  private version = $state(0);
  loaded = $state(false);
  selectedId = $state<number | null>(null);
  /** the selected case as GET /api/incidents/:id answers it (with allowedSteps) */
  detail = $state<CaseView | null>(null);
  record = $state<LiveEvent[]>([]);
  recordLoading = $state(false);
  /** id → time until which the case is highlighted as new */
  flash = $state<Record<number, number>>({});
  toasts = $state<Toast[]>([]);
  /** bumps whenever officers may have changed (for the recommendation list) */
  officersVersion = $state(0);

  filter = $state<QueueFilter>(emptyFilter());

  queue = $derived.by(() => {
    void this.version;
    return [...this.open.values()].sort(byUrgency);
  });
  /** the queue as filtered: what the list shows and the keyboard walks */
  visible = $derived(isFiltered(this.filter) ? this.queue.filter((i) => matches(i, this.filter)) : this.queue);
  overdueCount = $derived(this.queue.filter((i) => i.overdue).length);
  awaitingDispatch = $derived(this.queue.filter((i) => i.state === 'registered' || i.state === 'reported').length);

  /**
   * The rows as the queue draws them (its pinned rows kept in place), so the keyboard walks what the
   * dispatcher sees; plain, not reactive: the queue writes it while it derives its rows.
   */
  shown: CaseView[] | null = null;

  /** set by the recommendation list while it shows: send the best candidate (Enter) */
  dispatchTop: (() => void) | null = null;

  private refreshQueue = new Set<number>();
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private generation = new Map<number, number>();
  private recordFor: number | null = null;
  /** the map, while MapView shows one */
  private map: CaseMapSink | null = null;

  /** MapView hands its map over while it exists (null when it goes). */
  useMap(map: CaseMapSink | null): void {
    this.map = map;
  }

  /** A batch of live officer positions, for the map. */
  officerPositions(batch: PositionUpdate[]): void {
    this.map?.updateOfficerPositions(batch);
  }

  /** Step to the next (+1) or previous (-1) case of the filtered queue. */
  step(delta: 1 | -1): void {
    const list = this.shown ?? this.visible;
    if (list.length === 0) return;
    const at = list.findIndex((i) => i.id === this.selectedId);
    const next = at === -1 ? (delta === 1 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + delta));
    this.select(list[next]!.id);
  }

  /** an open case as the console knows it */
  get(id: number): CaseView | undefined {
    void this.version;
    return this.open.get(id);
  }

  reset(): void {
    this.open.clear();
    this.version += 1;
    this.filter = emptyFilter();
    this.shown = null;
    this.loaded = false;
    this.selectedId = null;
    this.detail = null;
    this.record = [];
    this.flash = {};
    this.toasts = [];
    this.refreshQueue.clear();
    this.generation.clear();
    this.recordFor = null;
  }

  isFresh(id: number, now = Date.now()): boolean {
    return (this.flash[id] ?? 0) > now;
  }

  /** Load every open case (at the start, and instead of replaying a long absence: the live client's resync). */
  async loadSnapshot(): Promise<void> {
    const list = await api.allOpenCases();
    this.open.clear();
    for (const i of list) this.open.set(i.id, i);
    this.version += 1;
    this.loaded = true;
    if (this.selectedId !== null) this.refresh(this.selectedId);
  }

  select(id: number | null): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.detail = id === null ? null : (this.open.get(id) ?? null);
    this.record = [];
    this.recordFor = null;
    if (id === null) return;
    const inc = this.open.get(id);
    if (inc) this.map?.showCase(inc);
    this.refresh(id, true);
    void this.loadRecord(id);
  }

  async loadRecord(id: number): Promise<void> {
    this.recordLoading = true;
    try {
      const rec = await api.incidentEvents(id);
      if (this.selectedId !== id) return;
      // live events may have been appended meanwhile: merge by seq
      const merged = new Map<number, LiveEvent>();
      for (const e of [...rec, ...this.record]) merged.set(e.seq, e);
      this.record = [...merged.values()].sort((a, b) => a.seq - b.seq);
      this.recordFor = id;
    } catch (err) {
      reportError(err);
    } finally {
      if (this.selectedId === id) this.recordLoading = false;
    }
  }

  /** A case as a step answered it: take it as it is. */
  accept(view: CaseView): void {
    this.upsert(view);
    if (this.selectedId === view.id) {
      this.detail = view;
      this.refresh(view.id); // the step's answer may lack allowedSteps for the next step
    }
  }

  /** Refetch a case soon (coalesced); `now` skips the delay. */
  refresh(id: number, now = false): void {
    this.refreshQueue.add(id);
    if (now) {
      void this.flushRefresh();
      return;
    }
    this.refreshTimer ??= setTimeout(() => void this.flushRefresh(), REFRESH_DELAY_MS);
  }

  private async flushRefresh(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const ids = [...this.refreshQueue];
    this.refreshQueue.clear();
    await Promise.all(ids.map((id) => this.fetchOne(id)));
  }

  private async fetchOne(id: number): Promise<void> {
    const gen = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, gen);
    try {
      const view = await api.incident(id);
      if (this.generation.get(id) !== gen) return; // a newer request for this case is on its way
      this.upsert(view);
      if (this.selectedId === id) this.detail = view;
    } catch (err) {
      if (this.generation.get(id) !== gen) return;
      if (err instanceof ApiError && err.status === 404) {
        this.remove(id);
        if (this.selectedId === id) this.select(null);
        return;
      }
      if (err instanceof ApiError && err.status === 401) return;
      reportError(err);
    }
  }

  private upsert(view: CaseView): void {
    if (isFinal(view.state)) {
      this.remove(view.id);
      return;
    }
    const { allowedSteps: _steps, ...row } = view;
    this.open.set(view.id, row);
    this.version += 1;
  }

  private remove(id: number): void {
    if (this.open.delete(id)) this.version += 1;
  }

  /** One live or caught-up event. */
  applyEvent(e: LiveEvent, ctx: ApplyContext): void {
    if (e.type === 'officer.duty') {
      const officerId = Number(e.payload.officerId ?? e.officerIds[0]);
      const to = String(e.payload.to ?? '');
      if (officerId && to) this.map?.setOfficerDuty(officerId, to);
      this.officersVersion += 1;
      return;
    }
    if (e.type === 'map.updated') {
      this.map?.geographyChanged();
      return;
    }
    if (e.type === 'roster.updated') {
      // a squad's base is on the map; people on the board and the officers layer
      this.map?.geographyChanged();
      this.officersVersion += 1;
      return;
    }
    const id = e.incidentId;
    if (id === null) return;
    const inc = this.open.get(id);
    const to = 'to' in e.payload ? e.payload.to : undefined;
    // what the event says, shown at once; the refetch below brings the rest
    if (inc) {
      let next = inc;
      if (typeof to === 'string' && (CASE_STATES as readonly string[]).includes(to)) next = { ...next, state: to as CaseState };
      if (e.type === 'incident.overdue') next = { ...next, overdue: true };
      if (e.type === 'incident.extended' && typeof e.payload.deadline === 'string') {
        next = { ...next, deadline: e.payload.deadline, overdue: Date.parse(e.payload.deadline) < Date.now() };
      }
      if (isFinal(next.state)) this.remove(id);
      else if (next !== inc) {
        this.open.set(id, next);
        this.version += 1;
      }
    }
    if (
      [
        'incident.dispatched',
        'incident.reassigned',
        'incident.declined',
        'incident.handled',
        'incident.suspended',
        'incident.dispatch_timed_out',
        'incident.reworked',
      ].includes(e.type)
    ) {
      this.officersVersion += 1;
    }
    // a case not seen yet is fetched at once (it has no row to show until then); others coalesce
    this.refresh(id, !inc);
    if (!ctx.silent && e.type === 'incident.reported') {
      this.flash = { ...this.flash, [id]: Date.now() + FLASH_MS };
      setTimeout(() => this.pruneFlash(), FLASH_MS + 50);
      const priority = Number(e.payload.priority ?? inc?.priority ?? 0);
      if (!ctx.caughtUp && priority >= URGENT_PRIORITY) playAlert('urgent');
    }
    if (this.selectedId === id && !this.record.some((r) => r.seq === e.seq)) {
      this.record = [...this.record, e].sort((a, b) => a.seq - b.seq);
    }
    const tone = alertTone[e.type];
    // alerts missed while away are still worth a toast if they are recent
    const recent = Date.now() - Date.parse(e.occurredAt) < 10 * 60_000;
    if (tone && tone !== 'info' && !ctx.silent && (!ctx.caughtUp || recent)) {
      this.toast(e, tone);
      if (tone === 'alert' && !ctx.caughtUp) playAlert('alert');
    }
  }

  private pruneFlash(): void {
    const now = Date.now();
    const next = Object.fromEntries(Object.entries(this.flash).filter(([, until]) => until > now));
    if (Object.keys(next).length !== Object.keys(this.flash).length) this.flash = next;
  }

  private toast(e: LiveEvent, tone: Toast['tone']): void {
    const now = Date.now();
    const inc = e.incidentId !== null ? this.open.get(e.incidentId) : undefined;
    const code = 'code' in e.payload ? e.payload.code : (inc?.code ?? `#${e.incidentId}`);
    const what = inc ? `${inc.category.nameZh} · ${inc.districtName ?? ''}` : '';
    const reason = 'reason' in e.payload && typeof e.payload.reason === 'string' ? e.payload.reason : '';
    const title = eventLabel(e.type);
    // 超期 and 督办 come together: one toast for both
    const key = `${e.incidentId}:${tone}`;
    const same = this.toasts.find((t) => t.key === key && now - t.at < 10_000);
    if (same) {
      if (!same.title.zh.includes(title.zh)) same.title = { zh: `${same.title.zh} · ${title.zh}`, en: `${same.title.en} · ${title.en}` };
      same.until = now + TOAST_MS[tone];
      return;
    }
    this.toasts = [
      { key, tone, title, body: [code, what, reason].filter(Boolean).join('  '), incidentId: e.incidentId, at: now, until: now + TOAST_MS[tone] },
      ...this.toasts,
    ].slice(0, MAX_TOASTS);
    setTimeout(() => this.pruneToasts(), TOAST_MS[tone] + 50);
  }

  /** A toast of the console's own (a step failed, a case was created). */
  notify(tone: Toast['tone'], title: Bi, body: string, incidentId: number | null = null): void {
    const now = Date.now();
    this.toasts = [{ key: `local:${now}:${Math.random()}`, tone, title, body, incidentId, at: now, until: now + TOAST_MS[tone] }, ...this.toasts].slice(
      0,
      MAX_TOASTS,
    );
    setTimeout(() => this.pruneToasts(), TOAST_MS[tone] + 50);
  }

  dismissToast(key: string): void {
    this.toasts = this.toasts.filter((t) => t.key !== key);
  }

  private pruneToasts(): void {
    const now = Date.now();
    const next = this.toasts.filter((t) => t.until > now);
    if (next.length !== this.toasts.length) this.toasts = next;
  }
}

export const cases = new CaseStore();
export { errorText };
