import { describe, expect, it } from 'vitest';
import { CATCH_UP_PAGE, CATCH_UP_REPLAY_MAX, catchUp, estimateMissed, shouldReload } from '../../shared/cases/catch-up.ts';
import type { EventsPage, LiveEvent } from '../../shared/cases/contract.ts';

const ev = (seq: number) => ({ seq }) as LiveEvent;
const pageOf = (seqs: number[], more: boolean, head: number): EventsPage => ({ events: seqs.map(ev), more, head });

describe('catch-up decision (shared/cases/catch-up.ts)', () => {
  it('counts a last page as it is, and extends a full one over the rest of the log at its density', () => {
    expect(estimateMissed(100, pageOf([101, 102, 103], false, 10_000))).toBe(3);
    // a district with a tenth of the log: 5 events over seqs 101..150, head 1,100 → 5 + 95
    expect(estimateMissed(100, pageOf([110, 120, 130, 140, 150], true, 1100))).toBe(100);
    expect(shouldReload(100, pageOf([110, 120, 130, 140, 150], true, 1100))).toBe(false);
    expect(shouldReload(100, pageOf([110, 120, 130, 140, 150], true, 100 + 10 * (CATCH_UP_REPLAY_MAX + 50)))).toBe(true);
  });

  it('replays page by page from the last seq of each page, or stops after the first page when a reload is due', async () => {
    const log = Array.from({ length: 23 }, (_, i) => i + 1);
    const asked: [number, number][] = [];
    const fetchPage = async (after: number, limit: number) => {
      asked.push([after, limit]);
      const rest = log.filter((s) => s > after);
      return pageOf(rest.slice(0, limit), rest.length > limit, 23);
    };
    const applied: number[] = [];
    const out = await catchUp({ after: 0, page: 10, fetchPage, apply: (es) => void applied.push(...es.map((e) => e.seq)) });
    expect(out).toEqual({ kind: 'replayed', requests: 3, applied: 23, lastSeq: 23 });
    expect(asked).toEqual([
      [0, 10],
      [10, 10],
      [20, 10],
    ]);
    expect(applied).toEqual(log);

    asked.length = 0;
    const reload = await catchUp({ after: 0, page: 10, replayMax: 5, fetchPage, apply: () => expect.unreachable() });
    expect(reload).toEqual({ kind: 'reload', requests: 1, head: 23, estimated: 23 });
    expect(CATCH_UP_PAGE).toBeGreaterThan(CATCH_UP_REPLAY_MAX);
  });
});
