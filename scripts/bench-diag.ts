/**
 * Benchmark: `/diag db` end to end (a signed slash command in, the final report out through the
 * Slack Web API stand-in) against the local PostgreSQL, compared in the same run with the same SQL
 * run one query after another from psql: once as a diagnose.sh-style script does it (one psql
 * process per query), once in a single psql session. Also times `/diag db` against targets that
 * are down (a closed port; a server that accepts and never answers).
 *
 *   npm run bench:diag            # 15 rounds each (first round of each discarded as warm-up)
 *   npm run bench:diag -- 30
 *
 * Results are printed and written to docs/BENCHMARKS.md (between the diag markers).
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { measuredOn, writeSection } from './bench-report.js';
import { POSTGRES_CHECK_SQL } from '../src/adapters/targets/postgres/probe/index.js';
import { startAppUnderTest } from '../test/e2e/app-under-test.js';
import { TEST_DATABASE_URL } from '../test/services.js';

const rounds = Number(process.argv[2] ?? 15);
const TIMEOUT_MS = 2000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const time = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const listen = (s: net.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));

async function main(): Promise<void> {
  const silent = net.createServer(() => undefined);
  const silentPort = await listen(silent);
  const closing = net.createServer();
  const closedPort = await listen(closing);
  await new Promise((r) => closing.close(r));
  const t = await startAppUnderTest({
    yaml: [
      'incidents:', '  channel: C0INCIDENTS', 'targets:', '  postgres:',
      `    - { name: main, url: "${TEST_DATABASE_URL}" }`,
      `    - { name: closed, url: "postgres://postgres@127.0.0.1:${closedPort}/test" }`,
      `    - { name: silent, url: "postgres://postgres@127.0.0.1:${silentPort}/test" }`,
      'diagnostics:', `  timeout: ${TIMEOUT_MS}ms`,
    ].join('\n'),
  });

  /** A run counts only if the report says what it should: a fast failure is not a fast run. */
  async function slashToReport(target: string, expectUnreachable: boolean): Promise<number> {
    const since = t.standIn.calls.length;
    const t0 = performance.now();
    await t.driver.command({ command: '/diag', text: `db ${target}`, channelId: 'C0BENCH' });
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Diagnostics db'), 30_000);
    const elapsed = performance.now() - t0;
    const unreachable = JSON.stringify(report.args).includes('unreachable');
    if (unreachable !== expectUnreachable) throw new Error(`/diag db ${target}: the report ${unreachable ? 'says unreachable' : 'has no unreachable finding'}, which is not what this run measures`);
    return elapsed;
  }

  const url = new URL(TEST_DATABASE_URL);
  const psqlArgs = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres', '-d', url.pathname.slice(1), '-X', '-q', '-A', '-t'];
  // psql exits non-zero when a query fails: a failed run would look fast, so it stops the benchmark.
  const psql = (args: string[], input?: string) =>
    execFileSync('psql', ['-v', 'ON_ERROR_STOP=1', ...args], input === undefined ? { stdio: ['ignore', 'ignore', 'pipe'] } : { input, stdio: ['pipe', 'ignore', 'pipe'] });
  // A query this server cannot answer (pg_stat_statements absent) is left out of both psql runs, and said.
  const answerable = POSTGRES_CHECK_SQL.filter((c) => {
    try {
      psql([...psqlArgs, '-c', c.sql]);
      return true;
    } catch {
      return false;
    }
  });
  const skipped = POSTGRES_CHECK_SQL.length - answerable.length;
  if (skipped > 0) console.log(`psql runs leave out ${skipped} queries this server cannot answer: ${POSTGRES_CHECK_SQL.filter((c) => !answerable.includes(c)).map((c) => c.name).join(', ')}`);
  const script = answerable.map((c) => c.sql.trim().replace(/;?\s*$/, ';')).join('\n');
  const perQuery = () => {
    for (const c of answerable) psql([...psqlArgs, '-c', c.sql]);
  };
  const oneSession = () => psql(psqlArgs, script);

  const firebreak: number[] = [];
  const psqlScript: number[] = [];
  const psqlSession: number[] = [];
  const closed: number[] = [];
  const hung: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const fb = await slashToReport('main', false);
    const ps = time(perQuery);
    const ss = time(oneSession);
    const c = await slashToReport('closed', true);
    const h = await slashToReport('silent', true);
    if (i === 0) continue; // warm-up
    firebreak.push(fb);
    psqlScript.push(ps);
    psqlSession.push(ss);
    closed.push(c);
    hung.push(h);
  }
  await t.stop();
  silent.close();

  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  const rows = [
    `| \`/diag db\` end to end (slash command → final report) | ${fmt(median(firebreak))} | — |`,
    `| same ${answerable.length} queries, one \`psql\` per query (diagnose.sh style) | ${fmt(median(psqlScript))} | ${(median(firebreak) / median(psqlScript)).toFixed(2)} |`,
    `| same queries, one after another in one \`psql\` session | ${fmt(median(psqlSession))} | ${(median(firebreak) / median(psqlSession)).toFixed(2)} |`,
    `| \`/diag db\` on a closed port (timeout ${TIMEOUT_MS} ms) | ${fmt(median(closed))} | — |`,
    `| \`/diag db\` on a server that never answers (timeout ${TIMEOUT_MS} ms) | ${fmt(median(hung))} | — |`,
  ];
  const table = ['| run | median | Firebreak ÷ this |', '|---|---:|---:|', ...rows].join('\n');
  console.log(table);
  writeSection('diag', `${measuredOn()}, ${rounds} rounds after a warm-up, with \`npm run bench:diag\`.`, table);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
