import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backoffMs, pagerDutyClient, type PagerEvent, type PagerResult } from '../../src/adapters/http/pagerduty.js';
import { closedPortUrl, startPagerDutyStandIn, type PagerDutyStandIn } from './pagerduty-stand-in.js';

const ROUTING_KEY = 'R0UT1NGK3Ysecret0123456789abcdef'; // 32 characters, like a real integration key
const TIMEOUT_MS = 1000;

let pd: PagerDutyStandIn;
const errors: string[] = []; // every error string any test saw, checked for the routing key at the end

function trigger(over: Partial<PagerEvent> = {}): PagerEvent {
  return {
    action: 'trigger',
    routingKey: ROUTING_KEY,
    dedupKey: 'firebreak-INC-42',
    summary: 'INC-42: checkout latency above 2 s',
    source: 'firebreak',
    severity: 'critical',
    ...over,
  };
}

async function send(event: PagerEvent, url = pd.url): Promise<PagerResult> {
  const result = await pagerDutyClient({ url, timeoutMs: TIMEOUT_MS, userAgent: 'firebreak-test' }).send(event);
  if (!result.ok) errors.push(result.error);
  return result;
}

beforeAll(async () => {
  pd = await startPagerDutyStandIn();
});
afterAll(async () => {
  await pd.close();
});
beforeEach(() => {
  pd.mode('ok');
});

describe('pagerDutyClient against the Events API v2 stand-in', () => {
  it('sends a trigger exactly as PagerDuty expects', async () => {
    const at = new Date('2024-05-01T12:00:00.000Z');
    const result = await send(
      trigger({
        dedupKey: 'trigger-1',
        timestamp: at,
        customDetails: { incident: 'INC-42', commander: '@ana' },
        links: [{ href: 'https://slack.example/archives/C1', text: 'Incident channel' }],
      }),
    );
    expect(result).toEqual({ ok: true });
    const e = await pd.waitFor((x) => x.body.dedup_key === 'trigger-1');
    expect(e.body).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'trigger-1',
      payload: {
        summary: 'INC-42: checkout latency above 2 s',
        source: 'firebreak',
        severity: 'critical',
        timestamp: '2024-05-01T12:00:00.000Z',
        custom_details: { incident: 'INC-42', commander: '@ana' },
      },
      links: [{ href: 'https://slack.example/archives/C1', text: 'Incident channel' }],
    });
    expect(e.headers['content-type']).toMatch(/^application\/json/);
    expect(e.headers['user-agent']).toBe('firebreak-test');
    expect(e.headers.authorization).toBeUndefined();
  });

  it.each(['acknowledge', 'resolve'] as const)('sends %s with only routing_key, event_action and dedup_key', async (action) => {
    const result = await send({ ...trigger(), action, dedupKey: `${action}-1` });
    expect(result).toEqual({ ok: true });
    const e = await pd.waitFor((x) => x.body.dedup_key === `${action}-1`);
    expect(e.body).toEqual({ routing_key: ROUTING_KEY, event_action: action, dedup_key: `${action}-1` });
  });

  it('truncates a long summary to 1024 characters ending in …', async () => {
    const result = await send(trigger({ dedupKey: 'long-1', summary: 'x'.repeat(5000) }));
    expect(result).toEqual({ ok: true });
    const e = await pd.waitFor((x) => x.body.dedup_key === 'long-1');
    expect(e.body.payload.summary).toHaveLength(1024);
    expect(e.body.payload.summary.endsWith('x…')).toBe(true);
  });

  it('500 is retryable', async () => {
    pd.mode('error500');
    const result = await send(trigger());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('500');
  });

  it('400 is not retryable and carries PagerDuty message and errors', async () => {
    pd.mode('invalid');
    const result = await send(trigger());
    expect(result).toEqual({ ok: false, retryable: false, error: 'invalid event: Event object is invalid: Rejected by the stand-in' });
  });

  it('an event PagerDuty finds invalid (wrong routing key length) is not retryable', async () => {
    const result = await send(trigger({ routingKey: 'too-short' }));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain("Length of 'routing_key' is incorrect");
  });

  it.each(['hang', 'trickle'] as const)('a server that %ss times out, retryable, within the deadline', async (mode) => {
    pd.mode(mode);
    const started = Date.now();
    const result = await send(trigger());
    const took = Date.now() - started;
    expect(result).toEqual({ ok: false, retryable: true, error: `timed out after ${TIMEOUT_MS} ms` });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(took).toBeLessThan(TIMEOUT_MS + 500);
  });

  it('connection refused is retryable and quick', async () => {
    const url = await closedPortUrl();
    const started = Date.now();
    const result = await send(trigger(), url);
    expect(Date.now() - started).toBeLessThan(1000);
    const port = new URL(url).port;
    expect(result).toEqual({ ok: false, retryable: true, error: `connection refused (127.0.0.1:${port})` });
  });

  it.each([
    ['empty routing key', { routingKey: '' }, 'routingKey'],
    ['trigger without summary', { summary: undefined }, 'summary'],
    ['trigger without source', { source: undefined }, 'source'],
    ['trigger without severity', { severity: undefined }, 'severity'],
    ['unknown severity', { severity: 'sev1' as never }, 'severity'],
    ['empty dedup key', { dedupKey: '' }, 'dedupKey'],
    ['invalid timestamp', { timestamp: new Date('nope') }, 'timestamp'],
    ['link without URL', { links: [{ href: 'not a url', text: 'x' }] }, 'links'],
  ] as const)('rejects bad input (%s) without sending anything', async (_name, over, field) => {
    const before = pd.events.length;
    const result = await send(trigger(over as Partial<PagerEvent>));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toMatch(new RegExp(`^bad event: .*${field}`));
    expect(pd.events.length).toBe(before);
  });

  it('acknowledge and resolve need no summary, source or severity', async () => {
    const result = await send({ action: 'resolve', routingKey: ROUTING_KEY, dedupKey: 'bare-resolve' });
    expect(result).toEqual({ ok: true });
  });

  it('never puts the routing key in an error string', () => {
    expect(errors.length).toBeGreaterThanOrEqual(10);
    for (const error of errors) expect(error).not.toContain(ROUTING_KEY);
  });
});

describe('backoffMs', () => {
  it('grows exponentially from the base and stops at the cap', () => {
    const top = (attempt: number) => backoffMs(attempt, { random: () => 0.999999 });
    expect([1, 2, 3, 4].map(top)).toEqual([999, 1999, 3999, 7999]);
    expect(top(20)).toBe(299_999);
    expect(top(10_000)).toBe(299_999);
    expect(backoffMs(3, { baseMs: 100, maxMs: 250, random: () => 0.5 })).toBe(125);
  });

  it('is deterministic with a given random and jittered within [0, cap]', () => {
    // Attempt 2 with the default base (1 s): the cap is 2,000 ms, a quarter of it is 500.
    expect(backoffMs(2, { random: () => 0.25 })).toBe(500);
    expect(backoffMs(3, { random: () => 0.25 })).toBe(1000);
    expect(backoffMs(5, { random: () => 0 })).toBe(0);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const ms = backoffMs(4);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(8000);
      seen.add(ms);
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  it('treats attempts below 1 as the first', () => {
    expect(backoffMs(0, { random: () => 0.999999 })).toBe(999);
    expect(backoffMs(Number.NaN, { random: () => 0.999999 })).toBe(999);
  });
});
