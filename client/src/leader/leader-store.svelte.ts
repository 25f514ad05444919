// What the leader view shows for the chosen period and filters, loaded from the leader API and kept
// fresh by the live feed (a new case, an escalation: the affected panels reload a moment later).
import { api, errorText } from '../common/api.ts';
import type { LiveEvent } from '../common/cases/types.ts';
import { periodOf, type Period, type Preset } from './period.ts';
import type { CategoryCount, EscalationCase, Heatmap, IndicatorTable, KeyAreaBoard, TrendDay } from '../common/leader-types.ts';

const SETTLE_MS = 1500;
const PRESET_KEY = 'zhihui.leader.preset';

class LeaderStore {
  preset = $state<Preset>((localStorage.getItem(PRESET_KEY) as Preset | null) ?? '24h');
  customFrom = $state('');
  customTo = $state('');
  category = $state('');
  source = $state('');
  by = $state<'district' | 'squad'>('district');

  heatmap = $state<Heatmap | null>(null);
  board = $state<KeyAreaBoard | null>(null);
  escalations = $state<EscalationCase[]>([]);
  indicators = $state<IndicatorTable | null>(null);
  trend = $state<TrendDay[]>([]);
  categories = $state<CategoryCount[]>([]);
  errors = $state<Record<string, string>>({});
  loadedAt = $state(0);

  period = $derived(periodOf(this.preset, this.customFrom, this.customTo));

  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  /** Everything for the current period and filters. */
  async loadAll(): Promise<void> {
    const p = this.period;
    if (!p) return;
    localStorage.setItem(PRESET_KEY, this.preset);
    const gen = ++this.generation;
    await Promise.all([this.loadHeat(p, gen), this.loadBoard(p, gen), this.loadEscalations(gen), this.loadIndicators(p, gen), this.loadCharts(p, gen)]);
    if (gen === this.generation) this.loadedAt = Date.now();
  }

  /** A live event: reload what it changes, once things settle. */
  onEvent(e: LiveEvent): void {
    if (!e.type.startsWith('incident.')) return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // a preset window ends now: move it along
      void this.loadAll();
    }, SETTLE_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.generation += 1;
  }

  private async guard(name: string, gen: number, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      if (gen === this.generation && this.errors[name]) {
        const { [name]: _gone, ...rest } = this.errors;
        this.errors = rest;
      }
    } catch (err) {
      if (gen === this.generation) this.errors = { ...this.errors, [name]: errorText(err) };
    }
  }

  private loadHeat(p: Period, gen: number) {
    return this.guard('heatmap', gen, async () => {
      const h = await api.heatmap({ ...p, category: this.category || undefined, source: this.source || undefined });
      if (gen === this.generation) this.heatmap = h;
    });
  }

  private loadBoard(p: Period, gen: number) {
    return this.guard('board', gen, async () => {
      const b = await api.keyAreaBoard(p);
      if (gen === this.generation) this.board = b;
    });
  }

  private loadEscalations(gen: number) {
    return this.guard('escalations', gen, async () => {
      const list = await api.escalations();
      if (gen === this.generation) this.escalations = list.cases;
    });
  }

  private loadIndicators(p: Period, gen: number) {
    return this.guard('indicators', gen, async () => {
      const t = await api.indicators({ ...p, by: this.by });
      if (gen === this.generation) this.indicators = t;
    });
  }

  private loadCharts(p: Period, gen: number) {
    return this.guard('charts', gen, async () => {
      const [t, c] = await Promise.all([api.trend(p), api.categoryCounts(p)]);
      if (gen === this.generation) {
        this.trend = t.days;
        this.categories = c.categories;
      }
    });
  }
}

export const leader = new LeaderStore();
