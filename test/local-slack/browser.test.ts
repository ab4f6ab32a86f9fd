/**
 * Local mode as a person tries it: `node src/main.ts` with no Slack variable in a fresh folder
 * (the embedded store starts empty), the console in Debian's Chromium (headless, driven by
 * playwright-core: no browser download), clicked through a whole incident. Every assertion is on
 * what the page shows. Screenshots go to test/artifacts/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runFirebreak, type Proc } from '../e2e/spawn.js';

const ARTIFACTS = path.join(ROOT, 'test/artifacts');
const CHROMIUM = '/usr/bin/chromium';

let proc: Proc;
let browser: Browser;
let page: Page;
let url: string;
let sleeper: pg.Client | undefined;

async function consoleUrl(p: Proc, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /Console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.out());
    if (m) return m[1]!;
    if (p.child.exitCode !== null) throw new Error(`local mode exited ${p.child.exitCode}: ${p.err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no console URL within ${timeoutMs} ms; stdout: ${p.out()} stderr: ${p.err()}`);
}

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
const composer = () => page.locator('#composer');
async function type(text: string): Promise<void> {
  await composer().fill(text);
  // Close the autocompletion list, as a person does before sending a complete command.
  await composer().press('Escape');
  await composer().press('Enter');
}
const channelPane = () => page.locator('#messages');
const dialog = () => page.getByRole('dialog');

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  proc = runFirebreak({ PORT: '0' });
  url = await consoleUrl(proc);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await sleeper?.end().catch(() => undefined);
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
});

describe('the console in a browser, through a whole incident', () => {
  it('says what it is and where it runs', async () => {
    expect(proc.out()).toContain('local mode: nothing is sent to Slack');
    await page.goto(url);
    await expect.poll(() => page.locator('#channel-list').innerText()).toContain('incidents');
    expect(await page.locator('body').innerText()).toContain('local mode: nothing is sent to Slack');
    expect(await page.locator('#channel-name').innerText()).toContain('incidents');
  });

  it('declares an incident from the modal and shows the announcement and the new channel with its pinned card', async () => {
    await type('/incident open Checkout down');
    await expect.poll(() => dialog().count()).toBe(1);
    expect(await dialog().getAttribute('aria-label')).toContain('Declare an incident');
    await expect.poll(() => dialog().getByLabel('Title').inputValue()).toBe('Checkout down');
    await dialog().getByLabel('Severity').selectOption('P1');
    await dialog().getByLabel('Impact').fill('Nobody can pay');
    await shot('console-declare');
    await dialog().getByRole('button', { name: 'Declare' }).click();
    await expect.poll(() => dialog().count()).toBe(0);
    // The announcement in #incidents, with the impact the modal was given.
    await expect.poll(() => channelPane().innerText()).toContain('Nobody can pay');
    expect(await channelPane().innerText()).toContain('Checkout down');

    const incidentChannel = page.locator('#channel-list [data-channel-id]', { hasText: 'inc-' });
    await expect.poll(() => incidentChannel.count()).toBe(1);
    await incidentChannel.click();
    await expect.poll(() => page.locator('#channel-name').innerText()).toMatch(/inc-\d{8}-\d+-checkout-down/);
    await expect.poll(() => page.locator('#pins-button').innerText()).toContain('1 pinned');
    await expect.poll(() => page.locator('#channel-topic').innerText()).toContain('P1');
    // The pinned card, drawn from its blocks: its buttons are there to press.
    await expect.poll(() => channelPane().getByRole('button', { name: 'Acknowledge' }).count()).toBeGreaterThan(0);
  });

  it('posts an update through the card\'s button and its form', async () => {
    await channelPane().getByRole('button', { name: 'Post update' }).first().click();
    await expect.poll(() => dialog().count()).toBe(1);
    await dialog().getByLabel('Progress').fill('Payments provider fails over to the backup region');
    await dialog().getByRole('button', { name: 'Post update' }).click();
    await expect.poll(() => dialog().count()).toBe(0);
    await expect.poll(() => channelPane().innerText()).toContain('Payments provider fails over to the backup region');
  });

  it('at ×60, shows the 15-minute reminder a quarter of a minute later', async () => {
    await page.locator('#clock-speed').selectOption('60');
    // 15 minutes of the bot's clock at ×60: 15 s, and the engine's own wake-up.
    await expect.poll(() => channelPane().innerText(), { timeout: 40_000, interval: 500 }).toMatch(/no update for/i);
    await shot('console-reminder');
    await page.locator('#clock-speed').selectOption('1');
  }, 60_000);

  it('runs /diag db against the PostgreSQL of this machine and shows the report', async () => {
    await type('/diag db');
    await expect.poll(() => channelPane().innerText(), { timeout: 20_000 }).toMatch(/PostgreSQL/);
    await expect.poll(() => channelPane().innerText(), { timeout: 20_000 }).toMatch(/local/);
  }, 30_000);

  it('asks to cancel a real pg_sleep query, is refused as Alice, approves as Bruno in the confirm dialog, and shows the outcome', async () => {
    sleeper = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', application_name: 'checkout-report' });
    await sleeper.connect();
    const pid = (await sleeper.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const sleeping = sleeper.query('select pg_sleep(120)').then(
      () => 'finished',
      (err: Error) => err.message,
    );
    await type(`/remediate pg.cancel ${pid}`);
    const approve = channelPane().getByRole('button', { name: 'Approve' }).last();
    await expect.poll(() => approve.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => channelPane().innerText()).toContain(String(pid));

    // Alice is not an approver: the bot says so to her only, and nothing runs.
    await approve.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => channelPane().innerText(), { timeout: 10_000 }).toContain('Only approvers can approve');

    await page.locator('#user-switcher').selectOption('U0BRUNO');
    await expect.poll(() => page.locator('#channel-name').innerText()).toMatch(/inc-/);
    await channelPane().getByRole('button', { name: 'Approve' }).last().click();
    const confirm = page.getByRole('alertdialog');
    await expect.poll(() => confirm.count()).toBe(1);
    expect(await confirm.innerText()).toContain('Run this change?');
    await shot('console-confirm');
    await confirm.getByRole('button', { name: 'Approve' }).click();
    expect(await sleeping).toMatch(/canceling statement due to user request/);
    await expect.poll(() => channelPane().innerText(), { timeout: 20_000 }).toMatch(/cancel+ed|succeeded|done/i);
    await shot('console-incident');
  }, 60_000);
});
