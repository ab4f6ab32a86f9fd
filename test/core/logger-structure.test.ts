/**
 * The logger scrubs every string wherever it sits in a log line's structure (arrays, nested
 * objects, errors and their causes) and keeps the structure itself: dates stay dates, errors
 * without a cause get no cause.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

const SECRET = 'hunter2-very-secret';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', secrets: [SECRET], destination }), lines };
}

/** `{ a: { a: … { a: leaf } } }`, `levels` objects deep. */
const nested = (levels: number, leaf: unknown): unknown => (levels === 0 ? leaf : { a: nested(levels - 1, leaf) });

describe('the log line structure', () => {
  it('names the app on every line', () => {
    const { logger, lines } = capture();
    logger.info('hello');
    expect(lines[0]).toMatchObject({ app: 'firebreak', msg: 'hello' });
  });

  it('scrubs each string of an array and keeps it an array', () => {
    const { logger, lines } = capture();
    logger.info({ list: [`pw ${SECRET}`, 'plain', 7] }, 'x');
    expect(lines[0]?.list).toEqual(['pw [redacted]', 'plain', 7]);
  });

  it('scrubs strings nested deep, and turns what is deeper still into scrubbed text', () => {
    const { logger, lines } = capture();
    logger.info({ deep: nested(7, SECRET), deeper: nested(12, { pw: SECRET }) }, 'x');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain(SECRET);
    expect(lines[0]?.deep).toEqual(nested(7, '[redacted]'));
    // Past the depth limit the rest is one string, scrubbed like any other.
    // `deeper` sits at depth 1 of the line; eight levels down, at depth 9, the rest is text.
    let level: unknown = lines[0]?.deeper;
    for (let i = 0; i < 8; i++) level = (level as { a: unknown }).a;
    expect(level).toBe(JSON.stringify(nested(4, { pw: '[redacted]' })));
  });

  it('keeps null as null', () => {
    const { logger, lines } = capture();
    logger.info({ nothing: null, list: [null] }, 'x');
    expect(lines[0]).toMatchObject({ nothing: null, list: [null] });
  });

  it('counts arrays and causes in the depth like objects', () => {
    const { logger, lines } = capture();
    const arrays = (levels: number): unknown => (levels === 0 ? SECRET : [arrays(levels - 1)]);
    const causes = (levels: number): Error => new Error(`level ${levels}`, levels === 0 ? {} : { cause: causes(levels - 1) });
    logger.info({ arrays: arrays(12), failure: causes(12) }, 'x');
    let a: unknown = lines[0]?.arrays;
    for (let i = 0; i < 8; i++) a = (a as unknown[])[0];
    expect(a).toBe(JSON.stringify(arrays(4)).replace(SECRET, '[redacted]'));
    let c: unknown = lines[0]?.failure;
    for (let i = 0; i < 8; i++) c = (c as { cause: unknown }).cause;
    expect(typeof c).toBe('string');
    expect(JSON.stringify(lines[0])).not.toContain(SECRET);
  });

  it('survives a cycle', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = { pw: SECRET };
    cyclic.self = cyclic;
    logger.info({ cyclic }, 'x');
    expect(JSON.stringify(lines[0])).not.toContain(SECRET);
    expect(JSON.stringify(lines[0])).toContain('[unserialisable]');
  });

  it('keeps dates as dates', () => {
    const { logger, lines } = capture();
    logger.info({ at: new Date(0) }, 'x');
    expect(lines[0]?.at).toBe('1970-01-01T00:00:00.000Z');
  });

  it('scrubs an error and its cause, and adds no cause where there is none', () => {
    const { logger, lines } = capture();
    // Under a key of its own (pino serialises `err` itself before the scrub sees it).
    logger.error({ failure: new Error(`failed with ${SECRET}`, { cause: new Error(`because ${SECRET}`) }) }, 'x');
    logger.error({ failure: new Error('plain') }, 'y');
    expect(lines[0]?.failure).toMatchObject({ type: 'Error', message: 'failed with [redacted]', cause: { type: 'Error', message: 'because [redacted]' } });
    expect(JSON.stringify(lines[0])).not.toContain(SECRET);
    expect(lines[1]?.failure).not.toHaveProperty('cause');
  });
});
