/** Replication: on a replica the link to its master and how long since it last heard from it; on a master, each replica. */
import type { Finding, Status } from '../../../../core/diagnostics/finding.js';
import { bytes, duration, plural } from '../format.js';
import { notReported, type CheckInput } from './input.js';
import type { RedisReplica } from '../info.js';

/** Graded strictly above the thresholds: a master pings its replicas every 10 s, so an idle link reads up to 10 s. */
function above(value: number, warn: number, crit: number): Status {
  return value > crit ? 'critical' : value > warn ? 'warning' : 'ok';
}

function lagThreshold(input: CheckInput): string {
  const t = input.thresholds;
  return `warning above ${t.replicationLagWarnSeconds} s, critical above ${t.replicationLagCritSeconds} s`;
}

function replicaSide(input: CheckInput): Finding[] {
  const { info, thresholds: t } = input;
  const master = `${info.master_host ?? '?'}:${info.master_port ?? '?'}`;
  const base = { check: 'replication', component: input.target, threshold: 'critical when master_link_status is down; warning while an initial sync runs' };
  if (info.master_link_status === undefined) return [notReported(input, 'replication', ['master_link_status'])];
  if (info.master_link_status !== 'up') {
    const since = info.master_link_down_since_seconds;
    const when = since === undefined || since < 0 ? 'since start (never connected)' : `for ${duration(since)}`;
    const evidence = [`master_link_status: ${info.master_link_status}`, `master_link_down_since_seconds: ${since ?? 'unknown'}`, `master_sync_in_progress: ${info.master_sync_in_progress ?? 'unknown'}`];
    if (info.master_sync_in_progress === 1) {
      return [{ ...base, status: 'warning', evidence, value: `replica of ${master}: initial sync from the master in progress, link down ${when}`, recommendation: 'Wait for the sync to finish; if it restarts again and again, raise client-output-buffer-limit replica on the master and check the network.' }];
    }
    return [{
      ...base, status: 'critical', evidence,
      value: `replica of ${master}: master_link_status down ${when}`,
      recommendation: 'Check the master (is it up, reachable from this replica, is masterauth right?) and this replica\'s log. Until the link is back the replica serves stale data (or refuses reads with replica-serve-stale-data no).',
    }];
  }
  const findings: Finding[] = [{ ...base, status: 'ok', value: `replica of ${master}, link up` }];
  const io = info.master_last_io_seconds_ago;
  if (io === undefined || io < 0) {
    findings.push(notReported(input, 'replication lag', ['master_last_io_seconds_ago']));
    return findings;
  }
  const status = above(io, t.replicationLagWarnSeconds, t.replicationLagCritSeconds);
  const offset = info.slave_repl_offset !== undefined ? `, replication offset ${info.slave_repl_offset}` : '';
  const lag: Finding = { check: 'replication lag', component: input.target, status, value: `last I/O from the master ${duration(io)} ago${offset}`, threshold: lagThreshold(input) };
  if (status !== 'ok') lag.recommendation = 'The master has sent nothing, not even its periodic PING: check the network between them and whether the master is overloaded or blocked by a slow command.';
  findings.push(lag);
  return findings;
}

function replicaLag(input: CheckInput, r: RedisReplica): Finding {
  const t = input.thresholds;
  const component = `${input.target} replica ${r.ip}:${r.port ?? '?'}`;
  const masterOffset = input.info.master_repl_offset;
  const behind = masterOffset !== undefined && r.offset !== undefined ? Math.max(0, masterOffset - r.offset) : undefined;
  const behindText = behind !== undefined ? `${bytes(behind)} behind` : 'offset unknown';
  const base = { check: 'replica lag', component, threshold: lagThreshold(input) };
  if (r.state !== 'online') {
    return { ...base, status: 'warning', value: `state ${r.state} (not streaming yet: a sync is in progress), ${behindText}`, recommendation: 'Wait for the sync to finish; if it keeps restarting, raise client-output-buffer-limit replica and check the network.' };
  }
  if (r.lag === undefined) return { ...base, status: 'unknown', value: `online, ${behindText}, last acknowledgement unknown` };
  const status = above(r.lag, t.replicationLagWarnSeconds, t.replicationLagCritSeconds);
  const finding: Finding = { ...base, status, value: `online, ${behindText}, last acknowledgement ${duration(r.lag)} ago` };
  if (status !== 'ok') finding.recommendation = 'The replica has stopped acknowledging: check it (load, network, its own log); reads from it are getting stale.';
  return finding;
}

function masterSide(input: CheckInput): Finding[] {
  const { info } = input;
  const replicas = info.replicas;
  const count = info.connected_slaves ?? replicas.length;
  const listed = replicas.map((r) => `${r.ip}:${r.port ?? '?'} ${r.state}`);
  const role: Finding = {
    check: 'replication', component: input.target, status: 'ok',
    value: count === 0 ? 'master, no replicas connected' : `master, ${plural(count, 'replica')} connected: ${listed.join(', ')}`,
    threshold: 'informational on a master; each replica is checked for lag',
  };
  return [role, ...replicas.map((r) => replicaLag(input, r))];
}

export function replicationFindings(input: CheckInput): Finding[] {
  if (input.info.role === 'slave') return replicaSide(input);
  if (input.info.role === 'master') return masterSide(input);
  return [notReported(input, 'replication', ['role'])];
}
