/**
 * host.restart-unit end to end: Firebreak (real HTTP receiver, real PostgreSQL store, the Slack
 * stand-in) restarts a failed systemd unit on a real sshd on loopback once an approver approves,
 * verifies it with `systemctl is-active`, and audits every step; a unit configured as critical
 * needs a second person; what may not be named is refused and audited; /diag host's Restart
 * button only asks for approval.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { journalEntry, startSshd, type OwnSshd } from '../host/sshd.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { responseAfter, visible } from './flows.js';

const OPS = 'C0OPS';
let t: AppUnderTest;
let sshd: OwnSshd;
let admin: pg.Client;

const FAILED = {
  activeState: 'failed',
  subState: 'failed',
  exitStatus: 1,
  restarts: 2,
  journal: [journalEntry('worker.service', 'ERROR lost connection to redis at 10.0.0.9:6379', 3), journalEntry('worker.service', 'worker.service: Failed with result exit-code.', 4)],
} as const;

beforeAll(async () => {
  sshd = await startSshd({ 'worker.service': FAILED, 'payments.service': { ...FAILED, journal: [] } });
  const host = (name: string) =>
    [
      `    - name: ${name}`,
      '      host: 127.0.0.1',
      `      port: ${sshd.port}`,
      `      user: ${sshd.user}`,
      `      privateKey: "${sshd.clientKey}"`,
      `      hostKey: "${sshd.hostKeyLine}"`,
      '      units: [worker.service, { name: payments.service, critical: true }]',
      '      verifyAfter: 300ms',
    ].join('\n');
  t = await startAppUnderTest({
    yaml: [
      'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
      'targets:',
      '  hosts:',
      host('web1'),
      host('web2'),
      'diagnostics:', '  timeout: 15s',
      'approvals:', '  approvers: [U0ALICE, U0BOB]', '  expiresAfter: 10m',
      'remediation:', '  allow: { hosts: [web1] }',
    ].join('\n'),
  });
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.stop();
  await sshd?.stop();
});

async function ask(text: string, userId = 'U0DAVE'): Promise<{ message: ApiCall; requestId: string; ts: string }> {
  const since = t.standIn.calls.length;
  const replies = t.standIn.responses.length;
  await t.driver.command({ command: '/remediate', text, channelId: OPS, userId });
  const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === OPS && String(c.args.text).startsWith('Remediation'), 15_000);
  expect(await responseAfter(t, replies, 15_000)).toContain('Asked for approval');
  const actions = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!;
  return { message, requestId: actions.elements[0].value as string, ts: (message.result as { ts: string }).ts };
}

async function click(requestId: string, userId: string, ts: string): Promise<string> {
  const before = t.standIn.responses.length;
  await t.driver.blockAction({ actionId: 'remediation_approve', value: requestId, userId, channelId: OPS, message: { ts } });
  return responseAfter(t, before, 30_000);
}

const audit = async (requestId: string) =>
  (await admin.query(`select event, actor_id, detail from ${t.schema}.remediation_audit where request_id = $1 order by id`, [requestId])).rows as Array<{ event: string; actor_id: string; detail: string | null }>;

describe('host.restart-unit through Slack', () => {
  it('previews the failed unit, refuses a non-approver, restarts it once approved, verifies it is active, and audits each step', async () => {
    sshd.setUnit('worker.service', FAILED);
    sshd.clearLogs();
    const { message, requestId, ts } = await ask('host.restart-unit worker.service --target web1');
    const body = visible(message);
    expect(body).toContain('host.restart-unit worker.service');
    expect(body).toContain('worker.service on web1: failed (failed); last exit status 1; 2 automatic restarts');
    expect(body).toContain('systemctl restart worker.service on web1');
    expect(body).toContain('high');
    expect(sshd.restarts()).toEqual([]);

    expect(await click(requestId, 'U0EVE', ts)).toContain('Only approvers can approve');
    expect(await click(requestId, 'U0BOB', ts)).toContain('Done: systemctl restart worker.service ran on web1; worker.service is active 300 ms after the restart');
    await t.running.ctx.inflight.drain(30_000);
    expect(sshd.restarts()).toEqual(['worker.service']);
    expect(sshd.unitState('worker.service')).toMatchObject({ ActiveState: 'active', SubState: 'running' });
    const final = t.standIn.callsTo('chat.update').filter((c) => c.args.ts === ts).at(-1)!;
    expect(visible(final)).toContain(':white_check_mark: Done');
    expect(JSON.stringify(final.args.blocks)).not.toContain('remediation_approve');

    const rows = await audit(requestId);
    expect(rows.map((r) => `${r.event}:${r.actor_id}`)).toEqual(['requested:U0DAVE', 'refused:U0EVE', 'approved:U0BOB', 'started:U0BOB', 'succeeded:U0BOB']);
    expect(rows.at(-1)!.detail).toMatch(/^systemctl restart worker\.service ran on web1; worker\.service is active 300 ms after the restart \(main PID \d+\)$/);
    expect(await click(requestId, 'U0ALICE', ts)).toContain('It already ran (succeeded).');
    expect(sshd.restarts()).toEqual(['worker.service']);
  });

  it('a unit configured as critical: the requester cannot approve it, a second approver can', async () => {
    sshd.setUnit('payments.service', { ...FAILED, journal: [] });
    sshd.clearLogs();
    const { message, requestId, ts } = await ask('host.restart-unit payments', 'U0ALICE');
    expect(visible(message)).toContain('critical');
    expect(visible(message)).toContain('payments.service is configured as critical: a second person must approve');
    expect(await click(requestId, 'U0ALICE', ts)).toContain('Two-person rule');
    expect(sshd.restarts()).toEqual([]);
    expect(await click(requestId, 'U0BOB', ts)).toContain('Done');
    expect(sshd.restarts()).toEqual(['payments.service']);
    expect((await audit(requestId)).map((r) => r.event)).toEqual(['requested', 'refused', 'approved', 'started', 'succeeded']);
  });

  it('refuses, audited, what may not be named: shell in the argument, an unconfigured unit, a host outside the allow-list', async () => {
    sshd.clearLogs();
    const asked = async (text: string) => {
      const before = t.standIn.responses.length;
      const res = await t.driver.command({ command: '/remediate', text, channelId: OPS, userId: 'U0DAVE' });
      return res.json ? JSON.stringify(res.json) : responseAfter(t, before, 15_000);
    };
    expect(await asked('host.restart-unit $(id)')).toContain('is not a systemd unit name');
    expect(await asked('host.restart-unit api;reboot')).toContain('is not a systemd unit name');
    expect(await asked('host.restart-unit sshd.service')).toContain('sshd.service is not one of the units configured for web1');
    expect(await asked('host.restart-unit worker.service --target web2')).toContain('Host \\"web2\\" is not in remediation.allow.hosts (web1)');
    const refusedRows = (await admin.query(`select args, target_name, detail from ${t.schema}.remediation_audit where event = 'refused' and actor_id = 'U0DAVE' and action_id = 'host.restart-unit' order by id`)).rows as Array<{ args: string[]; target_name: string; detail: string }>;
    expect(refusedRows.map((r) => [r.args, r.target_name])).toEqual([[['$(id)'], ''], [['api;reboot'], ''], [['sshd.service'], 'web1'], [['worker.service'], 'web2']]);
    expect(refusedRows.map((r) => r.detail)).toEqual([
      expect.stringContaining('"$(id)" is not a systemd unit name'),
      expect.stringContaining('"api;reboot" is not a systemd unit name'),
      'sshd.service is not one of the units configured for web1 (worker.service, payments.service): Firebreak restarts only those (targets.hosts units)',
      'Host "web2" is not in remediation.allow.hosts (web1).',
    ]);
    // None of them reached the host.
    expect(sshd.commands()).toEqual([]);
  });

  it("/diag host shows the failed unit with a Restart button that only asks for approval", async () => {
    sshd.setUnit('worker.service', FAILED);
    sshd.clearLogs();
    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/diag', text: 'host web1', channelId: OPS, userId: 'U0DAVE' });
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Diagnostics host'), 20_000);
    expect(visible(report)).toContain('web1/worker.service');
    const button = (report.args.blocks as Array<Record<string, any>>).filter((b) => b.type === 'actions').flatMap((b) => b.elements).find((e: any) => e.text.text === 'Restart worker.service');
    expect(button).toBeDefined();
    const before = t.standIn.calls.length;
    await t.driver.blockAction({ actionId: button.action_id, value: button.value, userId: 'U0DAVE', channelId: OPS, message: { ts: report.args.ts as string } });
    const approval = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= before && String(c.args.text).startsWith('Remediation host.restart-unit worker.service'), 15_000);
    expect(visible(approval)).toContain('Waiting for approval');
    expect(sshd.restarts()).toEqual([]);
  });
});
