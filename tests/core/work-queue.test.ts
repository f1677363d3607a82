import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/core/work-queue';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('runs jobs one at a time in arrival order and loses none of a burst', async () => {
    const q = new WorkQueue(1);
    const order: number[] = [];
    let running = 0, maxRunning = 0;
    const jobs = Array.from({ length: 50 }, (_, i) => q.run(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick();
      order.push(i);
      running--;
      return i;
    }));
    expect(await Promise.all(jobs)).toEqual(order);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(maxRunning).toBe(1);
  });

  it('never lets a newcomer overtake waiting jobs', async () => {
    const q = new WorkQueue(1);
    const order: string[] = [];
    const a = q.run(async () => { await tick(5); order.push('a'); });
    const b = q.run(async () => { order.push('b'); });
    await a; // at this instant b holds the slot; c must queue behind it
    const c = q.run(async () => { order.push('c'); });
    await Promise.all([b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('keeps going after a job fails, and reports the failure to its caller only', async () => {
    const q = new WorkQueue(1);
    const bad = q.run(async () => { throw new Error('boom'); });
    const good = q.run(async () => 'ok');
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe('ok');
    expect(q.size).toBe(0);
  });

  it('allows `concurrency` jobs at once', async () => {
    const q = new WorkQueue(3);
    let running = 0, maxRunning = 0;
    await Promise.all(Array.from({ length: 10 }, () => q.run(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(2);
      running--;
    })));
    expect(maxRunning).toBe(3);
  });
});
