/**
 * Container logs: the multiplexed stream taken apart (frames of both streams interleaved, a line
 * split across frames, a cut or foreign header), the raw stream of a TTY container, and the log
 * analysis of `/diag logs` run on what the failing containers wrote: errors by kind, the most
 * repeated messages normalised, the last lines before they stopped.
 */
import { describe, expect, it } from 'vitest';
import { demultiplex, dockerProbe, rawLines } from '../../../src/adapters/targets/docker/probe/index.js';
import { frame } from '../../docker/engine-api.js';
import { container } from '../../docker/fixtures.js';
import { deadline, one, shopTarget, useEngine } from '../../docker/harness.js';

describe('demultiplex', () => {
  it('takes apart frames of both streams in order, with the daemon timestamps', () => {
    const body = Buffer.concat([
      frame(1, '2025-03-14T09:30:00.123456789Z listening on :8080\n'),
      frame(2, '2025-03-14T09:30:01.000000001Z ERROR db down\n'),
      frame(1, '2025-03-14T09:30:02.5Z GET / 200\n'),
    ]);
    expect(demultiplex(body)).toEqual({
      truncated: false,
      lines: [
        { stream: 'stdout', time: '2025-03-14T09:30:00.123456789Z', text: 'listening on :8080' },
        { stream: 'stderr', time: '2025-03-14T09:30:01.000000001Z', text: 'ERROR db down' },
        { stream: 'stdout', time: '2025-03-14T09:30:02.5Z', text: 'GET / 200' },
      ],
    });
  });

  it('joins a line split across frames of the same stream, and keeps several lines of one frame apart', () => {
    const body = Buffer.concat([frame(2, 'Traceback (most rec'), frame(1, 'one\ntwo\n'), frame(2, 'ent call last):\n'), frame(2, 'no newline at the end')]);
    expect(demultiplex(body).lines.map((l) => `${l.stream}:${l.text}`)).toEqual(['stdout:one', 'stdout:two', 'stderr:Traceback (most recent call last):', 'stderr:no newline at the end']);
  });

  it('keeps multi-byte characters split across frames whole', () => {
    const text = Buffer.from('erreur: délai dépassé ⏱\n', 'utf8');
    const body = Buffer.concat([frame(1, text.subarray(0, 10)), frame(1, text.subarray(10))]);
    expect(demultiplex(body).lines[0]?.text).toBe('erreur: délai dépassé ⏱');
  });

  it('stops at a cut frame or a header that is not one, with what came before', () => {
    const good = frame(1, 'first\n');
    const cut = Buffer.concat([good, frame(2, 'second line\n').subarray(0, 12)]);
    expect(demultiplex(cut)).toEqual({ truncated: true, lines: [{ stream: 'stdout', text: 'first' }] });
    expect(demultiplex(Buffer.concat([good, Buffer.from('plain text, not a frame\n')]))).toEqual({ truncated: true, lines: [{ stream: 'stdout', text: 'first' }] });
    expect(demultiplex(Buffer.concat([good, frame(1, 'x').subarray(0, 5)])).truncated).toBe(true);
    expect(demultiplex(Buffer.alloc(0))).toEqual({ truncated: false, lines: [] });
  });
});

describe('rawLines (TTY)', () => {
  it('splits the terminal output on CRLF and LF, timestamps kept apart', () => {
    expect(rawLines(Buffer.from('2025-03-14T09:30:00Z ready\r\nplain\nlast'))).toEqual([
      { stream: 'stdout', time: '2025-03-14T09:30:00Z', text: 'ready' },
      { stream: 'stdout', text: 'plain' },
      { stream: 'stdout', text: 'last' },
    ]);
  });
});

describe("the failing containers' logs through the log analysis", () => {
  const h = useEngine();
  const probe = (extra = {}) => dockerProbe(shopTarget(h.server, extra)).run(deadline());

  it('counts the errors by kind and groups the repeated ones, numbers and addresses normalised', async () => {
    const f = one(await probe(), 'logs', 'shop-api-1');
    expect(f.status).toBe('critical'); // 7 error lines in 27 is past 20 %
    expect(f.value).toBe('7 error lines of the last 27 (26 %): database 6, timeout 1');
    expect(f.evidence?.slice(0, 2)).toEqual([
      '6× [database] ERROR could not connect to database at <ip>: connection refused (attempt <n>)',
      '1× [timeout] ERROR request <uuid> timed out after <n>ms',
    ]);
    expect(f.recommendation).toMatch(/^Database errors/);
    expect(f.evidence).toContain('last lines:');
    expect(f.evidence?.at(-1)).toMatch(/^\d{2}:\d{2}:\d{2} \[stderr\] 2025-03-14T09:30:09Z ERROR request 7f3c9a2e/);
  });

  it('a fatal line makes it critical: the OOMKilled worker ran out of heap', async () => {
    const f = one(await probe(), 'logs', 'shop-worker-1');
    expect(f).toMatchObject({ status: 'critical', value: '1 error lines of the last 4 (25 %), 1 fatal: memory 1' });
    expect(f.evidence).toContain('1× [memory] FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  });

  it('reads the last logTailLines lines only', async () => {
    const f = one(await probe({ thresholds: { logTailLines: 5 } }), 'logs', 'shop-api-1');
    expect(f.value).toBe('5 error lines of the last 5 (100 %): database 4, timeout 1');
    expect(h.server.requests.some((r) => r.url.includes('tail=5&timestamps=1'))).toBe(true);
  });

  it("a stopped container's log without errors is still shown, its last lines saying why", async () => {
    h.server.setContainers([container({ name: 'batch', state: 'exited', exitCode: 2, finishedAgoSeconds: 60, logs: [['stdout', 'loading config'], ['stdout', 'config file /etc/batch.yml missing, giving up']] })]);
    const f = one(await probe({ project: undefined, services: undefined, containers: ['batch'] }), 'logs', 'batch');
    expect(f).toMatchObject({ status: 'warning', value: 'no error line in its last 2 lines' });
    expect(f.evidence?.at(-1)).toMatch(/ config file \/etc\/batch\.yml missing, giving up$/);
  });

  it('a TTY container is read raw', async () => {
    h.server.setContainers([container({ name: 'console', tty: true, state: 'exited', exitCode: 1, logs: [['stdout', 'panic: runtime error: index out of range [3] with length 3'], ['stdout', 'goroutine 1 [running]:']] })]);
    const f = one(await probe({ project: undefined, services: undefined, containers: ['console'] }), 'logs', 'console');
    expect(f.status).toBe('critical');
    expect(f.value).toBe('1 error lines of the last 2 (50 %), 1 fatal: other 1');
    expect(f.evidence?.at(-1)).toMatch(/^\d{2}:\d{2}:\d{2} goroutine 1 \[running\]:$/);
  });
});
