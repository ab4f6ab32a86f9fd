/**
 * `/diag`: diagnostics against the configured PostgreSQL, Redis, Kubernetes, HTTP, Prometheus,
 * Linux host, Docker and RabbitMQ targets, and a deployment's logs. Each subcommand takes an optional target name; `/diag` alone
 * opens a form to pick what to run.
 */
import { z } from 'zod';
import type { CommandContext, SlashCommandModule, Subcommand } from './contract.js';
import { defineCommand } from './define-command.js';
import { diagnose } from '../src/app/diagnostics/diagnose.js';
import { parseDuration } from '../src/core/duration.js';
import type { DiagKind, DiagRequest } from '../src/ports.js';
import { tokens, unescapeSlack } from './args.js';

const NAME = /^[A-Za-z0-9_.-]{1,63}$/;

/** `[target]`: at most one name. */
const targetOnly = z.string().transform((text, ctx) => {
  const list = tokens(unescapeSlack(text));
  if (list.length > 1 || (list[0] !== undefined && !NAME.test(list[0]))) {
    ctx.addIssue({ code: 'custom', message: `give at most one target name, not "${list.join(' ')}"` });
    return z.NEVER;
  }
  return { target: list[0] };
});

function run(ctx: CommandContext, request: DiagRequest): Promise<void> {
  return diagnose(ctx.app, { teamId: ctx.teamId, channelId: ctx.channelId, userId: ctx.userId, request, reply: ctx.reply });
}

function simple(kind: Exclude<DiagKind, 'k8s' | 'logs' | 'all'>, what: string): Subcommand<{ target: string | undefined }> {
  return { name: kind, usage: `${kind} [target]`, summary: what, args: targetOnly, run: (ctx, { target }) => run(ctx, { kind, target }) };
}

const k8s: Subcommand<{ target?: string; namespace?: string }> = {
  name: 'k8s',
  usage: 'k8s [target] [namespace]',
  summary: 'Kubernetes: failing pods, deployments, HPAs, warning events, nodes, top pods',
  args: z.string().transform((text, ctx) => {
    const list = tokens(unescapeSlack(text));
    if (list.length > 2 || list.some((t) => !NAME.test(t))) {
      ctx.addIssue({ code: 'custom', message: 'give at most a target and a namespace' });
      return z.NEVER;
    }
    return { target: list[0], namespace: list[1] };
  }),
  run: (ctx, a) => run(ctx, { kind: 'k8s', target: a.target, namespace: a.namespace }),
};

const logs: Subcommand<{ deployment: string; namespace?: string; sinceSeconds?: number }> = {
  name: 'logs',
  usage: 'logs <deployment> [namespace] [since, e.g. 5m]',
  summary: "a deployment's recent log lines: errors by kind, most repeated messages",
  args: z.string().transform((text, ctx) => {
    const list = tokens(unescapeSlack(text));
    const since = list.length > 1 && parseDuration(list.at(-1) as string) !== null ? parseDuration(list.pop() as string) : null;
    const [deployment, namespace, ...rest] = list;
    if (!deployment || !NAME.test(deployment) || (namespace !== undefined && !NAME.test(namespace)) || rest.length) {
      ctx.addIssue({ code: 'custom', message: 'name the deployment, then optionally its namespace and how far back (5m, 1h)' });
      return z.NEVER;
    }
    if (since !== null && since > 24 * 3_600_000) {
      ctx.addIssue({ code: 'custom', message: 'look back at most 24h' });
      return z.NEVER;
    }
    return { deployment, namespace, sinceSeconds: since === null ? undefined : Math.round(since / 1000) };
  }),
  run: (ctx, a) => run(ctx, { kind: 'logs', deployment: a.deployment, namespace: a.namespace, sinceSeconds: a.sinceSeconds }),
};

const docker: Subcommand<{ target?: string; container?: string }> = {
  name: 'docker',
  usage: 'docker [target] [container|project]',
  summary: 'Docker: containers not running, restarting or unhealthy, CPU and memory, missing compose services, failing containers\' logs',
  args: z.string().transform((text, ctx) => {
    const list = tokens(unescapeSlack(text));
    if (list.length > 2 || list.some((t) => !NAME.test(t))) {
      ctx.addIssue({ code: 'custom', message: 'give at most a target and one of its containers (or its compose project)' });
      return z.NEVER;
    }
    return { target: list[0], container: list[1] };
  }),
  run: (ctx, a) => run(ctx, { kind: 'docker', target: a.target, container: a.container }),
};

const all: Subcommand<string> = {
  name: 'all',
  usage: 'all',
  summary: 'every configured target at once',
  args: z.string().refine((t) => t.trim() === '', { message: 'all takes no arguments' }),
  run: (ctx) => run(ctx, { kind: 'all' }),
};

/** `/diag` alone: the form to pick kind, target, namespace and deployment. */
const form: Subcommand<string> = {
  name: 'form',
  usage: 'form',
  summary: 'pick what to run in a form (also what `/diag` alone does)',
  args: z.string(),
  // The deployments come from the cluster: a slow one gets the form at once, updated when they arrive.
  run: (ctx) => ctx.openFormWhenReady(async () => ({ form: 'diagnostics', deployments: await ctx.app.diagnostics.deployments(ctx.app.diagnostics.timeoutMs) })),
};

export const diagCommand: SlashCommandModule = defineCommand({
  command: '/diag',
  description: 'Run diagnostics on PostgreSQL, Redis, Kubernetes, HTTP health, Prometheus, Linux hosts, Docker, RabbitMQ queues and logs.',
  intro: 'diagnostics: read-only checks of the configured targets, worst findings first.',
  defaultSubcommand: 'form',
  subcommands: [
    simple('db', 'PostgreSQL: connections, blocked sessions and their blocker, long and idle-in-transaction queries, slow statements, replication'),
    simple('redis', 'Redis: memory vs maxmemory, evictions, clients, hit ratio, persistence, replication'),
    k8s,
    simple('http', 'HTTP health endpoints: status, expected JSON, latency, certificate expiry'),
    simple('prom', 'Prometheus checks and the alerts firing in Alertmanager'),
    simple('host', 'Linux hosts over SSH: configured systemd units, failed units, disk and inodes, memory and swap, load; the journal of failed or restarting units'),
    logs,
    docker,
    simple('queue', 'RabbitMQ queues: messages ready and unacknowledged, consumers (none while messages wait is critical), dead-letter queues, missing queues'),
    all,
    form,
  ],
});
