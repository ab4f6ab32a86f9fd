/** Clients and traffic: connections vs maxclients, blocked clients, rejected connections, hit ratio. */
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import { percent, plural } from '../format.js';
import { configNumber, notReported, type CheckInput } from './input.js';

function clients(input: CheckInput): Finding {
  const t = input.thresholds;
  const connected = input.info.connected_clients;
  const max = input.info.maxclients ?? configNumber(input.config, 'maxclients');
  const threshold = `warning at ${t.clientsWarnPct} %, critical at ${t.clientsCritPct} % of maxclients`;
  if (connected === undefined) return notReported(input, 'clients', ['connected_clients']);
  if (max === undefined || max <= 0) {
    return { check: 'clients', component: input.target, status: 'unknown', value: `${connected} connected, maxclients unknown${input.config.error ? ` (${input.config.error})` : ''}`, threshold };
  }
  const pct = (connected / max) * 100;
  const status = grade(pct, t.clientsWarnPct, t.clientsCritPct);
  const finding: Finding = { check: 'clients', component: input.target, status, value: `${connected} of ${max} (${percent(pct)})`, threshold };
  if (status !== 'ok') {
    finding.recommendation = 'Look for a connection leak (CLIENT LIST: group by addr and name, look at idle times), pool connections in the clients, or raise maxclients together with the file-descriptor limit.';
  }
  return finding;
}

function blocked(input: CheckInput): Finding {
  const n = input.info.blocked_clients;
  if (n === undefined) return notReported(input, 'blocked clients', ['blocked_clients']);
  return {
    check: 'blocked clients', component: input.target, status: 'ok',
    value: `${plural(n, 'client')} waiting on a blocking command (BLPOP, BRPOP, XREAD BLOCK, WAIT…)`,
    threshold: 'informational: normal for queue consumers; compare with the usual number',
  };
}

function rejected(input: CheckInput): Finding {
  const n = input.info.rejected_connections;
  if (n === undefined) return notReported(input, 'rejected connections', ['rejected_connections']);
  const max = input.info.maxclients ?? configNumber(input.config, 'maxclients');
  const base = { check: 'rejected connections', component: input.target, threshold: 'warning above 0 since start' };
  const value = `${n} since start${max !== undefined ? ` (maxclients ${max})` : ''}`;
  if (n === 0) return { ...base, status: 'ok', value };
  return {
    ...base, status: 'warning', value,
    recommendation: 'Connections were refused because maxclients was reached: find who holds connections (CLIENT LIST), fix leaks or pool sizes, or raise maxclients and the file-descriptor limit.',
  };
}

function hitRatio(input: CheckInput): Finding {
  const { keyspace_hits: hits, keyspace_misses: misses } = input.info;
  const warn = input.thresholds.hitRatioWarnPct;
  const threshold = `warning below ${warn} %`;
  if (hits === undefined || misses === undefined) return notReported(input, 'hit ratio', ['keyspace_hits', 'keyspace_misses']);
  const base = { check: 'hit ratio', component: input.target, threshold };
  if (hits + misses === 0) return { ...base, status: 'unknown', value: 'no key lookups since start (or since CONFIG RESETSTAT)' };
  const pct = (hits / (hits + misses)) * 100;
  const value = `${percent(pct)} (${plural(hits, 'hit')}, ${misses} ${misses === 1 ? 'miss' : 'misses'} since start)`;
  if (pct >= warn) return { ...base, status: 'ok', value };
  const evicted = input.info.evicted_keys ?? 0;
  return {
    ...base, status: 'warning', value,
    recommendation: `Most reads miss: ${evicted > 0 ? `${evicted} keys were evicted, so the cache is too small for its working set; ` : ''}check that TTLs outlive reuse, that readers and writers use the same key names, and that the cache is filled after a miss.`,
  };
}

export function activityFindings(input: CheckInput): Finding[] {
  return [clients(input), blocked(input), rejected(input), hitRatio(input)];
}
