/**
 * host.restart-unit against a real sshd (stand-in systemctl that records restarts): preview,
 * execute with its guard, verify with `systemctl is-active` after the target's verifyAfter; a unit
 * that does not come back; a unit changed since the preview; units that may not be named (not
 * configured, not a unit name, shell metacharacters) refused before anything runs; sudo, and the
 * refusals of sudo and of systemd; a unit configured as critical raises the risk.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostRestartUnitAction as action, restartUnitParams } from '../../src/adapters/targets/host/actions/index.js';
import type { HostTarget } from '../../src/adapters/targets/host/index.js';
import { boundedContext, startSshd, type OwnSshd, type UnitFixture } from '../host/sshd.js';

let sshd: OwnSshd;
const FAILED: UnitFixture = { activeState: 'failed', subState: 'failed', exitStatus: 1, restarts: 3 };
const ACTIVE: UnitFixture = { activeState: 'active', subState: 'running', mainPid: 4242, activeForSeconds: 60 };

beforeAll(async () => {
  sshd = await startSshd({});
});
afterAll(async () => {
  await sshd?.stop();
});
beforeEach(() => {
  sshd.setUnit('worker.service', FAILED);
  sshd.setUnit('api.service', ACTIVE);
  sshd.setUnit('payments.service', FAILED);
  sshd.denySudo(false);
  sshd.clearLogs();
});

const target = (over: Partial<HostTarget> = {}): HostTarget =>
  sshd.target({
    units: [
      { name: 'worker.service', critical: false },
      { name: 'api.service', critical: false },
      { name: 'payments.service', critical: true },
      { name: 'gone.service', critical: false },
    ],
    ...over,
  });

async function step<T>(fn: (ctx: ReturnType<typeof boundedContext>) => Promise<T>, ms = 20_000): Promise<T> {
  const ctx = boundedContext(ms);
  try {
    return await fn(ctx);
  } finally {
    ctx.done();
  }
}

describe('host.restart-unit <unit>', () => {
  it.each([['api; rm -rf /'], ['$(id)'], ['`reboot`'], ['a b'], ["x'y"], ['-h']])('refuses %j as an argument, before anything runs', (arg) => {
    const parsed = restartUnitParams.safeParse([arg]);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toBe(`"${arg}" is not a systemd unit name: letters, digits and "_ . : @ -", starting with a letter or digit, like api.service (a service, socket, timer, target, mount, path unit)`);
    expect(restartUnitParams.safeParse([]).error!.issues[0]!.message).toBe('usage: <unit>');
    expect(restartUnitParams.parse(['worker'])).toEqual({ unit: 'worker.service' });
  });

  it('restarts a failed unit: preview shows it, execute restarts it once, verify finds it active after verifyAfter', async () => {
    const t = target();
    const preview = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    expect(preview.refusal).toBeUndefined();
    expect(preview.risk).toBeUndefined();
    expect(preview.current).toEqual(['worker.service on web1: failed (failed); last exit status 1; 3 automatic restarts']);
    expect(preview.change).toEqual([
      'systemctl restart worker.service on web1: the service stops and starts again, cutting its open connections and the requests in flight',
      'then, 300 ms later, systemctl is-active worker.service must say active',
    ]);
    expect(preview.guard).toEqual({ unit: 'worker.service', activeState: 'failed', activeEnterMonotonic: 0, mainPid: 0 });
    expect(sshd.restarts()).toEqual([]);

    const ran = await step((ctx) => action.execute(t, { unit: 'worker.service' }, preview.guard, ctx));
    expect(ran).toEqual({ ok: true, summary: 'systemctl restart worker.service ran on web1', before: { activeState: 'failed', subState: 'failed', mainPid: 0, restarts: 3, activeEnter: '' } });
    expect(sshd.restarts()).toEqual(['worker.service']);
    expect(sshd.argv()).toContain('systemctl [restart] [worker.service]');

    const started = Date.now();
    const verified = await step((ctx) => action.verify(t, { unit: 'worker.service' }, ctx));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(verified.ok).toBe(true);
    expect(verified.summary).toBe('worker.service is active 300 ms after the restart (main PID 1000)');
    expect(verified.after).toMatchObject({ isActive: 'active', activeState: 'active', subState: 'running', mainPid: 1000, restarts: 0 });
    expect(sshd.commands()).toContain("systemctl is-active 'worker.service'");
    expect(sshd.commands().filter((c) => c.includes('restart'))).toEqual(["systemctl restart 'worker.service'"]);
  });

  it('a unit that does not come back: verify says so and names the escalation', async () => {
    sshd.setUnit('worker.service', { ...FAILED, onRestart: 'fail' });
    const t = target({ verifyAfter: 200 });
    const preview = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    expect((await step((ctx) => action.execute(t, { unit: 'worker.service' }, preview.guard, ctx))).ok).toBe(true);
    const verified = await step((ctx) => action.verify(t, { unit: 'worker.service' }, ctx));
    expect(verified).toMatchObject({ ok: false, after: { isActive: 'failed', activeState: 'failed' } });
    expect(verified.summary).toBe(
      'worker.service is failed 200 ms after the restart (failed (failed); last exit status 1; 3 automatic restarts): it did not come back. Escalate: manual intervention is needed (read `journalctl -u worker.service -n 100` on web1, page the service\'s owner, consider its degraded mode)',
    );
  });

  it('refuses a unit restarted by someone else since the preview (ActiveEnterTimestamp and main PID changed)', async () => {
    const t = target();
    const preview = await step((ctx) => action.preview(t, { unit: 'api.service' }, ctx));
    expect(preview.current[0]).toMatch(/^api\.service on web1: active \(running\) since .* UTC, for 1 min( \d+ s)?; main PID 4242$/);
    expect(preview.guard).toMatchObject({ activeState: 'active', mainPid: 4242 });
    sshd.setUnit('api.service', { ...ACTIVE, mainPid: 5151, activeForSeconds: 2 });
    const ran = await step((ctx) => action.execute(t, { unit: 'api.service' }, preview.guard, ctx));
    expect(ran.ok).toBe(false);
    expect(ran.summary).toMatch(/^api\.service changed since the preview \(it was active with main PID 4242; now active \(running\) since .*; main PID 5151\): someone or something restarted it meanwhile; nothing done \(preview it again if it is still needed\)$/);
    expect(sshd.restarts()).toEqual([]);
  });

  it('refuses a failed unit that is active again at execution', async () => {
    const t = target();
    const preview = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    sshd.setUnit('worker.service', { ...ACTIVE, mainPid: 99 });
    const ran = await step((ctx) => action.execute(t, { unit: 'worker.service' }, preview.guard, ctx));
    expect(ran).toMatchObject({ ok: false, summary: expect.stringMatching(/^worker\.service is active again since the preview \(active \(running\).*main PID 99\): nothing to restart; nothing done/) });
    expect(sshd.restarts()).toEqual([]);
  });

  it('names only configured units: others are refused without a connection; a forged guard changes nothing', async () => {
    const t = target();
    const preview = await step((ctx) => action.preview(t, { unit: 'sshd.service' }, ctx));
    expect(preview.refusal).toBe('sshd.service is not one of the units configured for web1 (worker.service, api.service, payments.service, gone.service): Firebreak restarts only those (targets.hosts units)');
    const forged = { unit: 'sshd.service', activeState: 'failed', activeEnterMonotonic: 0, mainPid: 0 };
    const ran = await step((ctx) => action.execute(t, { unit: 'sshd.service' }, forged, ctx));
    expect(ran).toEqual({ ok: false, summary: expect.stringMatching(/^sshd\.service is not one of the units configured for web1 .*; nothing done$/) });
    const mismatch = await step((ctx) => action.execute(t, { unit: 'worker.service' }, forged, ctx));
    expect(mismatch.summary).toBe('the approved preview was for sshd.service, not worker.service; nothing done');
    expect(await step((ctx) => action.execute(t, { unit: 'worker.service' }, { edited: true }, ctx))).toEqual({ ok: false, summary: 'the stored preview is not usable (preview the action again); nothing done' });
    expect(sshd.commands()).toEqual([]);
  });

  it('a configured unit the host does not have: refused at the preview', async () => {
    const preview = await step((ctx) => action.preview(target(), { unit: 'gone.service' }, ctx));
    expect(preview.refusal).toBe('cannot read gone.service on web1: gone.service is not found on the host (LoadState not-found): check the configured name');
  });

  it('a unit configured as critical makes the request critical (a second person approves)', async () => {
    const preview = await step((ctx) => action.preview(target(), { unit: 'payments.service' }, ctx));
    expect(preview.risk).toBe('critical');
    expect(preview.current).toContain('payments.service is configured as critical: a second person must approve');
    expect(action.risk).toBe('high');
  });

  it('sudo: true restarts through sudo -n; a sudo that wants a password says what to allow', async () => {
    const t = target({ sudo: true });
    const preview = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    expect(preview.change[0]).toContain('(through sudo -n)');
    expect((await step((ctx) => action.execute(t, { unit: 'worker.service' }, preview.guard, ctx))).ok).toBe(true);
    expect(sshd.commands()).toContain("sudo -n systemctl restart 'worker.service'");
    expect(sshd.argv()).toContain('sudo [-n] [systemctl] [restart] [worker.service]');

    sshd.setUnit('worker.service', FAILED);
    sshd.denySudo(true);
    const again = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    const refused = await step((ctx) => action.execute(t, { unit: 'worker.service' }, again.guard, ctx));
    expect(refused.ok).toBe(false);
    expect(refused.summary).toBe(`sudo refused \`systemctl restart worker.service\` for ${sshd.user}: sudo: a password is required: allow it without a password in sudoers (e.g. "${sshd.user} ALL=(root) NOPASSWD: /usr/bin/systemctl restart worker.service")`);
  });

  it('systemd refusing the user says to use sudo', async () => {
    sshd.setUnit('worker.service', { ...FAILED, onRestart: 'deny' });
    const t = target();
    const preview = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    const ran = await step((ctx) => action.execute(t, { unit: 'worker.service' }, preview.guard, ctx));
    expect(ran).toMatchObject({ ok: false, summary: `${sshd.user} may not restart worker.service: Failed to restart worker.service: Access denied: set sudo: true for this host and allow the command in sudoers, or use a user that may` });
  });

  it('a host whose key is not the pinned one is not touched', async () => {
    const other = sshd.newKey(`impostor-${Date.now()}`);
    const { readFileSync } = await import('node:fs');
    const t = target({ hostKey: [`web1 ${readFileSync(`${other}.pub`, 'utf8').trim()}`] });
    const preview = await step((ctx) => action.preview(t, { unit: 'worker.service' }, ctx));
    expect(preview.refusal).toMatch(/^cannot read worker\.service on web1: the host key of 127\.0\.0\.1 \(ssh-ed25519 SHA256:.*\) is not the one pinned in the configuration \(hostKey\): refused$/);
    const ran = await step((ctx) => action.execute(t, { unit: 'worker.service' }, { unit: 'worker.service', activeState: 'failed', activeEnterMonotonic: 0, mainPid: 0 }, ctx));
    expect(ran.ok).toBe(false);
    expect(sshd.commands()).toEqual([]);
    expect(sshd.restarts()).toEqual([]);
  });
});
