import { describe, expect, it } from 'vitest';
import { createInflight } from '../../src/app/inflight.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('in-flight work', () => {
  it('drain waits for running work to finish', async () => {
    const errors: unknown[] = [];
    const inflight = createInflight((_l, e) => errors.push(e));
    let done = false;
    inflight.run('slow', async () => {
      await sleep(100);
      done = true;
    });
    inflight.run('failing', async () => {
      throw new Error('nope');
    });
    expect(inflight.size).toBe(2);
    expect(await inflight.drain(5000)).toBe(0);
    expect(done).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('drain gives up after its bound and says how much was left', async () => {
    const inflight = createInflight(() => undefined);
    inflight.run('stuck', () => new Promise<void>(() => undefined));
    const started = Date.now();
    expect(await inflight.drain(50)).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
