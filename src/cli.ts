/**
 * `firebreak diag <db|redis|k8s|http|prom|host|logs|docker|queue|all> [options]`: the same probes as `/diag`, from a
 * terminal. Prints the report (or JSON with --json) and exits 0 when all is ok, 1 for a warning
 * or an unknown, 2 for anything critical, 3 when it could not run (bad usage or configuration).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { composeTargets } from './compose.js';
import { DIAG_WORDS } from './adapters/targets/registry.js';
import { runProbes } from './app/diagnostics/run.js';
import { worst } from './core/diagnostics/finding.js';
import { fullReport } from './core/diagnostics/render.js';
import { parseDuration } from './core/duration.js';
import { systemClock, type DiagKind } from './ports.js';

const KINDS: readonly DiagKind[] = DIAG_WORDS;
const USAGE = `usage: firebreak diag <${KINDS.join('|')}> [--target NAME] [--namespace NS] [--deployment NAME] [--container NAME] [--since 5m] [--timeout 5s] [--json]
  Runs read-only diagnostics against the targets of firebreak.yml (or FIREBREAK_CONFIG).
  Exit status: 0 ok, 1 warning or unknown, 2 critical, 3 could not run.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(3);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        target: { type: 'string' }, namespace: { type: 'string' }, deployment: { type: 'string' }, container: { type: 'string' },
        since: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [command, kind, ...extra] = positionals;
  if (command !== 'diag') fail(command ? `unknown command "${command}"` : 'no command given');
  if (!kind || !KINDS.includes(kind as DiagKind)) fail(kind ? `unknown diagnostic "${kind}"` : 'say what to diagnose');
  if (extra.length) fail(`unexpected "${extra.join(' ')}"`);
  const since = values.since === undefined ? null : parseDuration(values.since);
  if (values.since !== undefined && since === null) fail(`--since: expected a duration like 5m, got "${values.since}"`);
  const timeout = values.timeout === undefined ? null : parseDuration(values.timeout);
  if (values.timeout !== undefined && timeout === null) fail(`--timeout: expected a duration like 5s, got "${values.timeout}"`);
  if (kind === 'logs' && !values.deployment) fail('logs needs --deployment');

  const loaded = loadConfig(process.env, process.cwd(), { requireSlack: false });
  if (!loaded.ok) fail(`the configuration has problems:\n  - ${loaded.problems.join('\n  - ')}`);
  const { diagnostics } = composeTargets(loaded.config);
  const selected = diagnostics.probes({ kind: kind as DiagKind, target: values.target, namespace: values.namespace, deployment: values.deployment, container: values.container, sinceSeconds: since === null ? undefined : Math.round(since / 1000) });
  if (!selected.ok) fail(selected.message);

  const reports = await runProbes(selected.probes, timeout ?? diagnostics.timeoutMs, systemClock);
  const status = worst(reports.flatMap((r) => r.findings));
  if (values.json) process.stdout.write(`${JSON.stringify({ status, reports }, null, 2)}\n`);
  else process.stdout.write(fullReport(reports, `Diagnostics ${kind}`));
  process.exitCode = status === 'ok' ? 0 : status === 'critical' ? 2 : 1;
}

void main().catch((err: unknown) => {
  process.stderr.write(`firebreak: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(3);
});
