/**
 * host.restart-unit <unit>: `systemctl restart <unit>` on a Linux host, the procedure of seed 000's
 * emergency restart. Only a unit configured for the target can be named. The preview shows the
 * unit's state; execute first checks that it is still the one previewed (an active unit must have
 * the same ActiveEnterTimestamp and main PID; a unit that was down must not be up again), then
 * restarts it (through `sudo -n` when the target says sudo: true). Verify waits (10 s by default,
 * the target's verifyAfter) and asks `systemctl is-active`: a unit that did not come back says so
 * and names the escalation. Risk high; critical for a unit configured `critical: true`.
 */
import { z } from 'zod';
import type { ActionContext, ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import { ActionError, positional, readGuard, recall, remember } from '../../shared/action-support.js';
import { asMs } from '../../shared/schema.js';
import { sleep } from '../../shared/sleep.js';
import { HOST_COMMANDS, UNIT_NAME_RULE, unitName } from '../commands.js';
import { HostError, withSession, type HostSession } from '../ssh.js';
import { describeUnit, parseUptime, readUnits, stderrLine, type UnitState } from '../systemd.js';
import { configuredUnit, verifyAfterOf, type HostTarget, type HostUnit } from '../target.js';

export interface RestartUnitParams {
  /** The full unit name ("api" is given as api.service). */
  unit: string;
}

export const restartUnitParams = positional<RestartUnitParams>('<unit>', 1, 1, ([arg]) => {
  const unit = unitName(arg ?? '');
  return unit ? { unit } : `"${(arg ?? '').slice(0, 80)}" is not ${UNIT_NAME_RULE}`;
});

const guardSchema = z.object({ unit: z.string(), activeState: z.string(), activeEnterMonotonic: z.number(), mainPid: z.number() });

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The configured unit, or the ActionError saying which ones may be restarted. */
function allowedUnit(target: HostTarget, unit: string): HostUnit {
  const u = configuredUnit(target, unit);
  if (u) return u;
  const list = target.units.map((x) => x.name).join(', ') || 'none';
  throw new ActionError(`${unit} is not one of the units configured for ${target.name} (${list}): Firebreak restarts only those (targets.hosts units)`);
}

async function stateOf(session: HostSession, unit: string): Promise<{ state: UnitState; uptime: number | undefined }> {
  const [units, uptime] = await Promise.all([readUnits(session, [unit]), session.run(HOST_COMMANDS.uptime())]);
  if (!units.ok) throw new ActionError(`cannot read the state of ${unit}: ${units.error}`);
  const state = units.units.get(unit);
  if (!state) throw new ActionError(`systemctl show printed nothing for ${unit}`);
  if (state.loadState === 'not-found') throw new ActionError(`${unit} is not found on the host (LoadState not-found): check the configured name`);
  return { state, uptime: uptime.ok && uptime.value.code === 0 ? parseUptime(uptime.value.stdout) : undefined };
}

const guardOf = (s: UnitState) => ({ unit: s.id, activeState: s.activeState, activeEnterMonotonic: s.activeEnterMonotonic, mainPid: s.mainPid });

/** Why execute must not restart what it finds, if it must not. */
function changedSince(g: z.infer<typeof guardSchema>, s: UnitState): string | undefined {
  if (g.activeState === 'active') {
    if (s.activeState !== 'active' || s.activeEnterMonotonic !== g.activeEnterMonotonic || s.mainPid !== g.mainPid) {
      return `${g.unit} changed since the preview (it was active with main PID ${g.mainPid}; now ${describeUnit(s)}): someone or something restarted it meanwhile`;
    }
    return undefined;
  }
  if (s.activeState === 'active') return `${g.unit} is active again since the preview (${describeUnit(s)}): nothing to restart`;
  return undefined;
}

const memoKey = (t: HostTarget, unit: string) => `${t.name}|${t.host}:${t.port}|host.restart-unit|${unit}`;

/** What went wrong with the restart command, in words that say what to do. */
function restartFailure(target: HostTarget, unit: string, code: number | null, stderr: string): string {
  if (target.sudo && /password is required|a terminal is required|not allowed to execute|not in the sudoers/i.test(stderr)) {
    return `sudo refused \`systemctl restart ${unit}\` for ${target.user}${stderrLine(stderr)}: allow it without a password in sudoers (e.g. "${target.user} ALL=(root) NOPASSWD: /usr/bin/systemctl restart ${unit}")`;
  }
  if (/access denied|interactive authentication required/i.test(stderr)) {
    return `${target.user} may not restart ${unit}${stderrLine(stderr)}: set sudo: true for this host and allow the command in sudoers, or use a user that may`;
  }
  return `systemctl restart ${unit} failed (exit status ${code ?? '?'})${stderrLine(stderr)}`;
}

export const hostRestartUnitAction: ActionDefinition<HostTarget, RestartUnitParams> = {
  id: 'host.restart-unit',
  title: 'Restart a systemd unit on a Linux host (critical for a unit configured critical: true)',
  risk: 'high',
  targetKind: 'hosts',
  usage: '<unit>',
  params: restartUnitParams,

  async preview(target, { unit }, ctx): Promise<Preview> {
    const wait = asMs(verifyAfterOf(target));
    const change = [
      `systemctl restart ${unit} on ${target.name}${target.sudo ? ' (through sudo -n)' : ''}: the service stops and starts again, cutting its open connections and the requests in flight`,
      `then, ${wait} later, systemctl is-active ${unit} must say active`,
    ];
    let configured: HostUnit;
    try {
      configured = allowedUnit(target, unit);
    } catch (err) {
      return { current: [], change, guard: {}, refusal: describe(err) };
    }
    try {
      const { state, uptime } = await withSession(target, ctx, (s) => stateOf(s, unit));
      const current = [`${unit} on ${target.name}: ${describeUnit(state, uptime)}`, ...(configured.critical ? [`${unit} is configured as critical: a second person must approve`] : [])];
      return { current, change, guard: guardOf(state), ...(configured.critical ? { risk: 'critical' as const } : {}) };
    } catch (err) {
      return { current: [], change, guard: {}, refusal: `cannot read ${unit} on ${target.name}: ${describe(err)}` };
    }
  },

  async execute(target, { unit }, guard, ctx): Promise<ActionResult> {
    try {
      const g = readGuard(guardSchema, guard);
      if (g.unit !== unit) throw new ActionError(`the approved preview was for ${g.unit}, not ${unit}`);
      allowedUnit(target, unit);
      return await withSession(target, ctx, async (session) => {
        const { state } = await stateOf(session, unit);
        const changed = changedSince(g, state);
        if (changed) return { ok: false, summary: `${changed}; nothing done (preview it again if it is still needed)` };
        const before = { activeState: state.activeState, subState: state.subState, mainPid: state.mainPid, restarts: state.restarts, activeEnter: state.activeEnter };
        remember(memoKey(target, unit), state.activeEnterMonotonic);
        const ran = await session.run(HOST_COMMANDS.restart(unit, target.sudo));
        if (!ran.ok) {
          return {
            ok: false,
            summary: ran.timeout
              ? `systemctl restart ${unit} did not finish in time (${ran.error}): it may still be restarting; check \`systemctl status ${unit}\` on ${target.name}`
              : `systemctl restart ${unit}: ${ran.error}`,
            before,
          };
        }
        if (ran.value.code !== 0) return { ok: false, summary: restartFailure(target, unit, ran.value.code, ran.value.stderr), before };
        return { ok: true, summary: `systemctl restart ${unit} ran on ${target.name}`, before };
      });
    } catch (err) {
      return { ok: false, summary: `${describe(err)}; nothing done` };
    }
  },

  async verify(target, { unit }, ctx: ActionContext): Promise<ActionResult> {
    const waitMs = verifyAfterOf(target);
    const wait = asMs(waitMs);
    const escalate = `it did not come back. Escalate: manual intervention is needed (read \`journalctl -u ${unit} -n 100\` on ${target.name}, page the service's owner, consider its degraded mode)`;
    await sleep(waitMs, ctx.signal);
    if (ctx.signal.aborted) return { ok: false, summary: `no time left to check ${unit} after the restart` };
    try {
      return await withSession(target, ctx, async (session) => {
        const active = await session.run(HOST_COMMANDS.isActive(unit));
        if (!active.ok) throw new ActionError(`cannot ask whether ${unit} is active: ${active.error}`);
        const word = active.value.stdout.trim().split(/\s+/)[0] || 'unknown';
        const units = await readUnits(session, [unit]);
        const state = units.ok ? units.units.get(unit) : undefined;
        const after = { isActive: word, ...(state ? { activeState: state.activeState, subState: state.subState, mainPid: state.mainPid, restarts: state.restarts, activeEnter: state.activeEnter } : {}) };
        if (active.value.code !== 0 || word !== 'active') {
          return { ok: false, summary: `${unit} is ${word} ${wait} after the restart${state ? ` (${describeUnit(state)})` : ''}: ${escalate}`, after };
        }
        const previous = recall<number>(memoKey(target, unit));
        if (previous !== undefined && state && state.activeEnterMonotonic === previous) {
          return { ok: false, summary: `${unit} is active but did not restart (it has been active since ${state.activeEnter || 'before the restart'}): check \`systemctl status ${unit}\``, after };
        }
        return { ok: true, summary: `${unit} is active ${wait} after the restart${state?.mainPid ? ` (main PID ${state.mainPid})` : ''}`, after };
      });
    } catch (err) {
      const why = err instanceof HostError || err instanceof ActionError ? err.message : describe(err);
      return { ok: false, summary: `could not check ${unit} after the restart: ${why}` };
    }
  },
};
