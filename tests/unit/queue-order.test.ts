import { describe, expect, it } from 'vitest';
import { byQueueOrder, type QueueOrderFields } from '#shared/cases/queue-order.ts';

let nextId = 1;
const row = (over: Partial<QueueOrderFields>): QueueOrderFields => ({
  id: nextId++,
  state: 'registered',
  overdue: false,
  priority: 50,
  reportedAt: '2026-03-01T08:00:00.000Z',
  ...over,
});
const order = (list: QueueOrderFields[]) => [...list].sort(byQueueOrder).map((i) => i.id);

describe('the queue order (byQueueOrder)', () => {
  it('puts cases waiting for the command centre (上报/立案) above cases in the field, whatever their priority', () => {
    const list = [
      row({ id: 1, state: 'accepted', priority: 95 }),
      row({ id: 2, state: 'registered', priority: 10 }),
      row({ id: 3, state: 'dispatched', priority: 80 }),
      row({ id: 4, state: 'reported', priority: 30 }),
      row({ id: 5, state: 'handled', priority: 99 }),
    ];
    expect(order(list)).toEqual([4, 2, 5, 1, 3]);
  });

  it('puts overdue before on time within each group, then priority, then the longest waiting, then the id', () => {
    const list = [
      row({ id: 1, state: 'registered', priority: 90 }),
      row({ id: 2, state: 'registered', priority: 20, overdue: true }),
      row({ id: 3, state: 'on_scene', priority: 90 }),
      row({ id: 4, state: 'on_scene', priority: 10, overdue: true }),
      row({ id: 5, state: 'registered', priority: 90, reportedAt: '2026-03-01T07:00:00.000Z' }),
      row({ id: 7, state: 'registered', priority: 90 }),
      row({ id: 6, state: 'registered', priority: 90 }),
    ];
    expect(order(list)).toEqual([2, 5, 1, 6, 7, 4, 3]);
  });

  it('is a total order: any starting order sorts the same', () => {
    const states = ['reported', 'registered', 'dispatched', 'accepted', 'on_scene', 'handled', 'suspended'] as const;
    const list = Array.from({ length: 60 }, (_, i) =>
      row({
        id: 100 + i,
        state: states[i % states.length],
        overdue: i % 4 === 0,
        priority: ((i * 7) % 3) * 30,
        reportedAt: `2026-03-0${1 + (i % 3)}T0${i % 5}:00:00.000Z`,
      }),
    );
    const once = order(list);
    expect(order([...list].reverse())).toEqual(once);
    expect(new Set(once).size).toBe(list.length);
  });
});
