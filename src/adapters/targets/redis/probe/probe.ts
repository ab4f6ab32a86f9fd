/**
 * The Redis probe: PING (three, for latency), INFO all and CONFIG GET for what INFO lacks, then
 * checks of memory, clients, hit ratio, persistence and replication. It only reads.
 */
import { z } from 'zod';
import { unreachable, grade, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { FirebreakError } from '../../../../core/errors.js';
import { activityFindings } from './checks-activity.js';
import { memoryFindings } from './checks-memory.js';
import { persistenceFindings } from './checks-persistence.js';
import { replicationFindings } from './checks-replication.js';
import { explainFailure, isAuthError, messageOf, openClient, timeLeft, within, DeadlineError } from '../connection.js';
import { duration } from '../format.js';
import { parseInfo, type RedisInfo } from '../info.js';
import type { CheckInput, ConfigRead } from './input.js';
import type { RedisTarget } from '../target.js';
import { resolveRedisThresholds, type RedisThresholds } from '../thresholds.js';
import type { Redis } from 'ioredis';

/** Settings INFO does not report (save) or that older servers leave out of INFO. */
const CONFIG_PARAMS = ['save', 'maxclients', 'maxmemory', 'maxmemory-policy'] as const;
const PINGS = 3;
const AUTH_ADVICE = "Check the credentials in the target's URL (redis://user:password@host:port) and the user's ACL (it needs PING, INFO and CONFIG GET).";

const configReply = z.array(z.string());

async function readConfig(client: Redis, ctx: ProbeContext): Promise<ConfigRead> {
  const values: Record<string, string> = {};
  let error: string | undefined;
  await Promise.all(
    CONFIG_PARAMS.map(async (name) => {
      try {
        const reply = configReply.parse(await within(ctx, client.config('GET', name)));
        if (reply[1] !== undefined) values[name] = reply[1];
      } catch (e) {
        const m = messageOf(e);
        error ??= /unknown command/i.test(m) ? `CONFIG is renamed or disabled: ${m.trim()}` : /^NOPERM/i.test(m) ? `CONFIG GET refused by ACL: ${m.trim()}` : e instanceof DeadlineError ? 'no answer before the deadline' : m;
      }
    }),
  );
  return error === undefined ? { values } : { values, error };
}

/** `refusal`: the error PING was answered with (LOADING, MISCONF, MASTERDOWN…): the server is up but refuses work. */
function reachable(target: string, info: RedisInfo | undefined, refusal: string | undefined): Finding {
  const role = info?.role === 'slave' ? 'replica' : info?.role;
  const about = info ? `Redis ${info.redis_version ?? '?'} (${[info.redis_mode, role].filter(Boolean).join(', ')}), up ${duration(info.uptime_in_seconds ?? 0)}` : 'Redis';
  const base = { check: 'reachable', component: target };
  if (/^LOADING/.test(refusal ?? '') || info?.loading === 1) {
    const pct = info?.loading_loaded_perc !== undefined ? ` (${info.loading_loaded_perc} % loaded)` : '';
    return {
      ...base, status: 'critical', value: `${about}: loading its dataset${pct}, refusing commands (LOADING)`,
      recommendation: 'Redis is starting and loading its RDB/AOF: it answers again once loaded; a large dataset or slow disk makes this take minutes.',
    };
  }
  if (refusal !== undefined) {
    const misconf = /^MISCONF/.test(refusal);
    return {
      ...base, status: 'critical', value: `${about} answers but refuses PING: ${refusal.split('. ')[0]}`, evidence: [refusal],
      recommendation: misconf
        ? 'Redis cannot persist to disk and refuses writes (and PING) until it can: see the persistence findings and the Redis log (disk space, permissions, failing forks).'
        : 'The server is up but refuses commands: read the error above and the Redis log.',
    };
  }
  return { ...base, status: 'ok', value: `PONG from ${about}` };
}

function latency(target: string, pings: number[], t: RedisThresholds): Finding {
  const sorted = [...pings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const status = grade(median, t.latencyWarnMs, t.latencyCritMs);
  const finding: Finding = {
    check: 'ping latency', component: target, status,
    value: `${median.toFixed(1)} ms (median of ${pings.length} PINGs, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms)`,
    threshold: `warning at ${t.latencyWarnMs} ms, critical at ${t.latencyCritMs} ms`,
  };
  if (status !== 'ok') finding.recommendation = 'Look for slow commands (SLOWLOG GET, LATENCY DOCTOR), big keys read whole (KEYS, SMEMBERS, HGETALL), swapping, a saturated CPU or network, or a fork for a save.';
  return finding;
}

async function inspect(client: Redis, target: RedisTarget, thresholds: RedisThresholds, ctx: ProbeContext): Promise<Finding[]> {
  await within(ctx, client.connect());
  const pings: number[] = [];
  let refusal: string | undefined;
  for (let i = 0; i < PINGS; i += 1) {
    const started = performance.now();
    try {
      await within(ctx, client.ping());
    } catch (e) {
      // An error reply is an answer: the server is up but refuses (LOADING, MISCONF…); INFO still works then.
      if (e instanceof Error && e.name === 'ReplyError' && !isAuthError(e)) refusal = messageOf(e);
      else if (pings.length === 0) throw e;
      break;
    }
    pings.push(performance.now() - started);
  }
  const [info, config] = await Promise.all([
    within(ctx, client.info('all')).then((text) => ({ text: z.string().parse(text) }), (error: unknown) => ({ error })),
    readConfig(client, ctx),
  ]);
  const findings: Finding[] = [];
  if ('error' in info) {
    findings.push(reachable(target.name, undefined, refusal));
    if (pings.length > 0) findings.push(latency(target.name, pings, thresholds));
    const why = info.error instanceof DeadlineError ? 'no answer before the deadline' : messageOf(info.error);
    findings.push({ check: 'info', component: target.name, status: 'unknown', value: `INFO failed: ${why}`, recommendation: 'Without INFO nothing else can be checked: allow INFO for the probe\'s user (ACL) or check the server by hand.' });
    return findings;
  }
  const parsed = parseInfo(info.text);
  findings.push(reachable(target.name, parsed, refusal));
  if (pings.length > 0) findings.push(latency(target.name, pings, thresholds));
  const nowSeconds = parsed.server_time_usec !== undefined ? parsed.server_time_usec / 1e6 : ctx.now().getTime() / 1000;
  const input: CheckInput = { target: target.name, info: parsed, config, thresholds, nowSeconds };
  return [...findings, ...memoryFindings(input), ...activityFindings(input), ...persistenceFindings(input), ...replicationFindings(input)];
}

export function redisProbe(target: RedisTarget): Probe {
  const thresholds = resolveRedisThresholds(target.thresholds);
  return {
    kind: 'redis',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      const budgetMs = Math.max(0, Math.round(timeLeft(ctx)));
      if (budgetMs <= 0 || ctx.signal.aborted) return [unreachable(target.name, 'no time left before the deadline')];
      let client: Redis;
      try {
        // ioredis reads "" (or a bare word) as localhost:6379: insist on a real Redis URL.
        if (!/^rediss?:\/\/./i.test(target.url.trim())) throw new FirebreakError('CONFIG_INVALID', 'expected redis://host:port or rediss://host:port');
        client = openClient(target.url.trim(), ctx);
      } catch (e) {
        return [unreachable(target.name, `invalid URL: ${messageOf(e)}`, "Fix the target's URL: redis://[user:password@]host:port[/db].")];
      }
      let emitted: Error | undefined;
      let connected = false;
      client.on('error', (e: Error) => {
        emitted ??= e;
      });
      client.on('connect', () => {
        connected = true;
      });
      try {
        return await inspect(client, target, thresholds, ctx);
      } catch (e) {
        const why = explainFailure(e, emitted, connected, budgetMs);
        return [isAuthError(e) || (emitted && isAuthError(emitted)) ? unreachable(target.name, why, AUTH_ADVICE) : unreachable(target.name, why)];
      } finally {
        client.disconnect();
      }
    },
  };
}
