import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, makeScrubber } from '../../src/logger.js';

function capture(secrets: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'trace', secrets, destination }), lines };
}

describe('logger redaction', () => {
  const token = 'xoxb-1234-5678-abcdefSECRET';
  const signing = 'a1b2c3d4e5f6-signing';
  const password = 'hunter2-db-pass';

  it('keeps configured secrets, Slack tokens and URL credentials out of every field and message', () => {
    const { log, lines } = capture([token, signing, password]);
    log.info({ token, config: { signingSecret: signing }, url: `postgres://fb:${password}@db:5432/fb`, nested: [{ note: `auth with ${token}` }] }, `starting with ${signing}`);
    log.error({ err: new Error(`connect postgres://fb:${password}@db failed for xapp-9-ZZZ`) }, 'boom');
    log.warn({ headers: { authorization: `Bearer ${token}` } }, 'request');
    const out = lines.join('\n');
    for (const s of [token, signing, password, 'xapp-9-ZZZ']) expect(out).not.toContain(s);
    expect(out).toContain('postgres://fb:[redacted]@db:5432/fb');
    expect(out).toContain('starting with [redacted]');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['starting with [redacted]', 'boom', 'request']);
  });

  it('leaves ordinary text alone', () => {
    const scrub = makeScrubber(['s3cret']);
    expect(scrub('INC-7 opened by U0ALICE at https://example.com/x')).toBe('INC-7 opened by U0ALICE at https://example.com/x');
  });
});
