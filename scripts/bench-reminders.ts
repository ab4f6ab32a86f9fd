/**
 * Benchmark: N open incidents whose update reminders all fall due at the same instant, each in its
 * own channel, served by R Firebreak processes on one real PostgreSQL store, posting to a local
 * Slack Web API stand-in. Measures the time from the due instant to the last reminder posted,
 * duplicates and misses, and each process's CPU time and peak memory.
 *
 *   npm run bench:reminders                 # N = 1000, 10000 × R = 1, 3
 *   npm run bench:reminders -- 1000 3       # one combination
 *
 * Results are printed and written to docs/BENCHMARKS.md (between the reminder markers).
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../src/adapters/postgres/open-store.js';
import { startSlackStandIn, type SlackStandIn } from '../src/adapters/local-slack/web-api.js';
import { runFirebreak, servingPort, type Proc } from '../test/e2e/spawn.js';
import { TEST_DATABASE_URL } from '../test/services.js';
import { measuredOn, writeSection } from './bench-report.js';

const CLOCK_TICKS = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s
const LEAD_MS = 8000; // the due instant, after every bot has settled into waiting for it
const INTERVAL_MS = 60_000;

interface Result {
  n: number;
  replicas: number;
  lastPostMs: number;
  p50Ms: number;
  posted: number;
  duplicates: number;
  misses: number;
  cpuSeconds: number[];
  peakRssMb: number[];
}

function procStats(pid: number): { cpu: number; peakRssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return { cpu, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
}

async function runOne(standIn: SlackStandIn, admin: pg.Client, n: number, replicas: number): Promise<Result> {
  const schema = `fb_bench_${n}_${replicas}_${process.pid}`;
  await admin.query(`drop schema if exists ${schema} cascade`);
  const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: '' });
  await store.close();

  const dir = mkdtempSync(path.join(tmpdir(), 'fb-bench-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\n  updateReminder: 60s\nescalation:\n  levels: []\n');
  const bots: Proc[] = Array.from({ length: replicas }, () =>
    runFirebreak({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench', SLACK_API_URL: standIn.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'info' }, dir),
  );
  try {
    await Promise.all(bots.map((b) => servingPort(b, 60_000)));
    const before = bots.map((b) => procStats(b.child.pid as number));

    // N incidents, each in its own channel, whose reminders fall due at `due`.
    const due = new Date(Date.now() + LEAD_MS);
    const lastUpdate = new Date(due.getTime() - INTERVAL_MS);
    await admin.query(
      `insert into ${schema}.incidents (team_id, number, title, severity, status, reporter_id, declared_at, last_update_at, channel_id)
       select 'T0BENCH', g, 'Bench ' || g, 'P3', 'investigating', 'U0ALICE', $1, $1, 'C0B' || lpad(g::text, 6, '0')
       from generate_series(1, $2::int) g`,
      [lastUpdate, n],
    );
    await admin.query(`insert into ${schema}.scheduled_items (incident_id, kind, due_at, one_shot) select id, 'update_reminder', $1, false from ${schema}.incidents`, [due]);
    const since = standIn.calls.length;

    const deadline = due.getTime() + 120_000;
    const reminders = () => standIn.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith(':alarm_clock:'));
    while (Date.now() < deadline && new Set(reminders().map((c) => c.args.channel)).size < n) await sleep(100);
    await sleep(3000); // late duplicates would show up here
    const posted = reminders();
    const after = bots.map((b) => procStats(b.child.pid as number));
    const channels = new Set(posted.map((c) => String(c.args.channel)));
    const delays = posted.map((c) => c.at - due.getTime()).sort((a, b) => a - b);
    return {
      n,
      replicas,
      lastPostMs: delays.at(-1) ?? NaN,
      p50Ms: delays[Math.floor(delays.length / 2)] ?? NaN,
      posted: posted.length,
      duplicates: posted.length - channels.size,
      misses: n - channels.size,
      cpuSeconds: after.map((a, i) => a.cpu - (before[i]?.cpu ?? 0)),
      peakRssMb: after.map((a) => a.peakRssMb),
    };
  } finally {
    for (const b of bots) b.child.kill('SIGTERM');
    await Promise.all(bots.map((b) => b.exited));
    rmSync(dir, { recursive: true, force: true });
    await admin.query(`drop schema if exists ${schema} cascade`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function table(results: Result[]): string {
  const rows = results.map((r) =>
    `| ${r.n.toLocaleString('en')} | ${r.replicas} | ${(r.lastPostMs / 1000).toFixed(2)} s | ${(r.p50Ms / 1000).toFixed(2)} s | ${r.duplicates} | ${r.misses} | ${r.cpuSeconds.map((c) => c.toFixed(1)).join(' / ')} s | ${r.peakRssMb.map((m) => m.toFixed(0)).join(' / ')} MB |`,
  );
  return ['| due at once | replicas | last posted after due | median | duplicates | misses | CPU per replica | peak RSS per replica |', '|---:|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const [nArg, rArg] = process.argv.slice(2);
  const ns = nArg ? [Number(nArg)] : [1000, 10_000];
  const rs = rArg ? [Number(rArg)] : [1, 3];
  const standIn = await startSlackStandIn();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  const results: Result[] = [];
  try {
    for (const n of ns) {
      for (const r of rs) {
        process.stdout.write(`N=${n} replicas=${r} … `);
        const result = await runOne(standIn, admin, n, r);
        results.push(result);
        console.log(`last ${result.lastPostMs} ms, duplicates ${result.duplicates}, misses ${result.misses}`);
        standIn.reset();
      }
    }
  } finally {
    await admin.end();
    await standIn.close();
  }
  const out = table(results);
  console.log(`\n${out}`);
  writeSection('reminders', `${measuredOn()}, PostgreSQL on 127.0.0.1, with \`npm run bench:reminders\`.`, out);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
