/**
 * `/diag host`: one SSH session to the host, the fixed read-only commands run on it in parallel,
 * their output graded: each configured unit's state, the host's failed units, disk and inode use
 * per mount, memory and swap, load against the CPUs, and for failed or restarting units the last
 * hour of their journal. A host that cannot be reached gives one critical finding saying why.
 */
import { unreachable, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { plural } from '../../../../core/render/text.js';
import { HOST_COMMANDS } from '../commands.js';
import { HostError, openSession, type CommandRead, type HostSession } from '../ssh.js';
import { describeUnit, parseFailed, parseUptime, readUnits, stderrLine, type UnitState } from '../systemd.js';
import type { HostTarget, HostUnit } from '../target.js';
import { resolveHostThresholds, type HostThresholds } from '../thresholds.js';
import { journalFindings } from './journal.js';
import { diskFindings, loadFinding, memoryFindings, parseCpus, parseDf, parseLoadavg, parseMeminfo } from './resources.js';

/** The finding for a host Firebreak could not open a session with. */
export function sessionFailure(target: HostTarget, err: unknown): Finding {
  if (err instanceof HostError && err.kind === 'host-key') {
    return { check: 'host key', component: target.name, status: 'critical', value: `refused: ${err.message}`, recommendation: err.recommendation };
  }
  if (err instanceof HostError) return unreachable(target.name, err.message, err.recommendation);
  return unreachable(target.name, err instanceof Error ? err.message : String(err));
}

/** The output of a command that ran and exited 0, or the finding saying why there is none. */
function output(read: CommandRead, check: string, component: string): { text: string } | { finding: Finding } {
  if (!read.ok) return { finding: { check, component, status: 'unknown', value: `could not read: ${read.error}` } };
  if (read.value.code !== 0 && !(read.value.cut && read.value.stdout)) {
    return { finding: { check, component, status: 'unknown', value: `could not read: exited with status ${read.value.code ?? '?'}${stderrLine(read.value.stderr)}` } };
  }
  return { text: read.value.stdout };
}

const restartLoop = (u: UnitState) => u.subState === 'auto-restart' || (u.activeState === 'activating' && u.restarts > 0);
/** Units whose journal is read: failed ones, and those restarting (in a loop or too often). */
const troubled = (u: UnitState, th: HostThresholds) => u.activeState === 'failed' || restartLoop(u) || u.restarts >= th.restartsWarn;

function unitFinding(host: string, unit: HostUnit, state: UnitState | undefined, uptime: number | undefined, th: HostThresholds): Finding {
  const component = `${host}/${unit.name}`;
  const restartThreshold = `critical when failed or restarting in a loop; automatic restarts: warning at ${th.restartsWarn}, critical at ${th.restartsCritical}`;
  if (!state) return { check: 'unit', component, status: 'unknown', value: 'systemctl show printed nothing for it' };
  const restart = { action: 'host.restart-unit', args: [unit.name], label: `Restart ${unit.name}`.slice(0, 75) };
  const value = describeUnit(state, uptime);
  const why = `read why it stopped (\`systemctl status ${unit.name}\` and \`journalctl -u ${unit.name} -n 100\` on the host, or the journal lines in this report), fix the cause, then restart it.`;
  const whySentence = why.charAt(0).toUpperCase() + why.slice(1);
  if (state.loadState === 'not-found') {
    return { check: 'unit', component, status: 'critical', value, recommendation: `Check the unit's name in the configuration (targets.hosts units) against \`systemctl list-units --all\` on the host: it may be misspelt or not installed.` };
  }
  let status: Status;
  let recommendation: string | undefined;
  let suggest = false;
  if (state.activeState === 'failed') {
    [status, recommendation, suggest] = ['critical', whySentence, true];
  } else if (restartLoop(state)) {
    [status, recommendation, suggest] = ['critical', `It keeps crashing and systemd keeps restarting it: ${why}`, true];
  } else if (state.activeState === 'inactive') {
    [status, recommendation, suggest] = [unit.critical ? 'critical' : 'warning', `It is stopped: if nobody stopped it on purpose, ${why}`, true];
  } else if (state.activeState !== 'active') {
    [status, recommendation] = ['warning', `It is ${state.activeState}: check again in a minute (\`systemctl status ${unit.name}\`).`];
  } else {
    status = state.restarts >= th.restartsCritical ? 'critical' : state.restarts >= th.restartsWarn ? 'warning' : 'ok';
    if (status !== 'ok') recommendation = `It is up but systemd restarted it ${state.restarts} times: its journal (in this report) says what makes it crash.`;
  }
  return {
    check: 'unit',
    component,
    status,
    value,
    threshold: restartThreshold,
    ...(recommendation ? { recommendation } : {}),
    evidence: [`ActiveState=${state.activeState} SubState=${state.subState} NRestarts=${state.restarts} ExecMainStatus=${state.exitStatus} MainPID=${state.mainPid}`],
    ...(suggest ? { remediation: restart } : {}),
  };
}

function failedFinding(host: string, failed: ReturnType<typeof parseFailed>, target: HostTarget): Finding {
  if (failed.length === 0) return { check: 'failed units', component: host, status: 'ok', value: 'no failed units on the host' };
  const configured = new Set(target.units.map((u) => u.name));
  const names = failed.map((f) => f.unit);
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? `, +${names.length - 10} more` : '');
  return {
    check: 'failed units',
    component: host,
    status: names.some((n) => configured.has(n)) ? 'critical' : 'warning',
    value: `${plural(failed.length, 'failed unit')}: ${shown}`,
    recommendation: '`systemctl status <unit>` and `journalctl -u <unit>` on the host say why each failed. Firebreak restarts only the units configured for this host.',
    evidence: failed.slice(0, 10).map((f) => `${f.unit}${f.description ? ` — ${f.description.slice(0, 120)}` : ''}`),
  };
}

/** nproc's answer, or /proc/cpuinfo's count where nproc is missing. */
async function cpuCount(session: HostSession, nproc: CommandRead): Promise<number | undefined> {
  const read = (r: CommandRead) => (r.ok && r.value.code === 0 ? parseCpus(r.value.stdout) : undefined);
  return read(nproc) ?? (nproc.ok ? read(await session.run(HOST_COMMANDS.cpuinfo())) : undefined);
}

async function inspect(target: HostTarget, session: HostSession, th: HostThresholds): Promise<Finding[]> {
  const host = target.name;
  const names = target.units.map((u) => u.name);
  const [units, failed, df, dfi, mem, load, cpus, uptime] = await Promise.all([
    names.length ? readUnits(session, names) : Promise.resolve(undefined),
    session.run(HOST_COMMANDS.failedUnits()),
    session.run(HOST_COMMANDS.disk()),
    session.run(HOST_COMMANDS.inodes()),
    session.run(HOST_COMMANDS.memory()),
    session.run(HOST_COMMANDS.load()),
    session.run(HOST_COMMANDS.cpus()),
    session.run(HOST_COMMANDS.uptime()),
  ]);
  const up = uptime.ok && uptime.value.code === 0 ? parseUptime(uptime.value.stdout) : undefined;
  const findings: Finding[] = [];

  // Units, each with its journal when it is in trouble.
  if (units && !units.ok) findings.push({ check: 'unit', component: host, status: 'unknown', value: `could not read the units' state: ${units.error}` });
  if (units?.ok) {
    const unitList = target.units.map((u) => ({ unit: u, state: units.units.get(u.name) }));
    const journals = await Promise.all(
      unitList.map(async ({ unit, state }) => {
        if (!state || state.loadState === 'not-found' || !troubled(state, th)) return undefined;
        const read = await session.run(HOST_COMMANDS.journal(unit.name, th.journalLines));
        const got = output(read, 'journal errors', `${host}/${unit.name}`);
        return 'finding' in got ? { finding: got.finding, lastLines: [] } : journalFindings(`${host}/${unit.name}`, unit.name, got.text, read.ok && read.value.cut, th);
      }),
    );
    unitList.forEach(({ unit, state }, i) => {
      const f = unitFinding(host, unit, state, up, th);
      const journal = journals[i];
      if (journal?.lastLines.length) f.evidence = [...(f.evidence ?? []), 'last journal lines:', ...journal.lastLines];
      findings.push(f);
      if (journal) findings.push(journal.finding);
    });
  }

  const failedOut = output(failed, 'failed units', host);
  findings.push('finding' in failedOut ? failedOut.finding : failedFinding(host, parseFailed(failedOut.text), target));

  for (const [read, inodes] of [[df, false], [dfi, true]] as const) {
    const got = output(read, inodes ? 'inodes' : 'disk', host);
    findings.push(...('finding' in got ? [got.finding] : diskFindings(host, parseDf(got.text), inodes, th)));
  }

  const memOut = output(mem, 'memory', host);
  findings.push(...('finding' in memOut ? [memOut.finding] : memoryFindings(host, parseMeminfo(memOut.text), th)));

  const loadOut = output(load, 'load', host);
  if ('finding' in loadOut) findings.push(loadOut.finding);
  else findings.push(loadFinding(host, parseLoadavg(loadOut.text), await cpuCount(session, cpus), th));
  return findings;
}

export function hostProbe(target: HostTarget): Probe {
  return {
    kind: 'host',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      const th = resolveHostThresholds(target.thresholds);
      let session: HostSession;
      try {
        session = await openSession(target, ctx);
      } catch (err) {
        return [sessionFailure(target, err)];
      }
      try {
        return await inspect(target, session, th);
      } catch (err) {
        // Never thrown by a target's answers; kept so that a probe never throws.
        return [{ check: 'host', component: target.name, status: 'unknown', value: `the checks stopped: ${err instanceof Error ? err.message : String(err)}` }];
      } finally {
        session.close();
      }
    },
  };
}
