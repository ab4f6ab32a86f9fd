/**
 * Configuration: environment variables plus an optional YAML file. `${VAR}` (or `${VAR:-default}`)
 * inside the file is replaced from the environment, so secrets stay out of it. Everything is
 * validated at once and every problem is reported with its key path; the result is frozen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configErrorMap, describeIssue, readProblem, yamlProblem } from './config-problems.js';
import { parseDuration } from './core/duration.js';
import { shown } from './core/found-value.js';
import { namesSecret } from './core/secret-names.js';
import { targetSecrets, targetsSchema } from './adapters/targets/registry.js';
import { urlPassword } from './adapters/targets/kind.js';
import { makeScrubber } from './logger.js';
import { DEFAULT_SEVERITIES, SEVERITY_LEVELS, type Severity, type SeverityLevel } from './core/incident/severity.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A duration written like "15m"; parsed to milliseconds. */
const duration = z.unknown().transform((value, ctx) => {
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "15m" or "30s", got ${shown(value)}` });
    return z.NEVER;
  }
  return ms;
});

const channelRef = z
  .string({
    error: (issue) =>
      issue.input === undefined || issue.input === null
        ? 'required: the id of the channel where incidents are announced, like "C0INCIDENTS"'
        : 'expected a Slack channel id like "C0123ABCD" (or a name like "#incidents")',
  })
  .regex(/^(?:[CGD][A-Z0-9]{2,}|#[a-z0-9][a-z0-9_-]{0,79})$/, {
    message: 'expected a Slack channel id like "C0123ABCD" (or a name like "#incidents")',
  });

const severityOverride = z
  .object({
    name: z.string().min(1).max(30, 'keep severity names to 30 characters').optional(),
    meaning: z.string().min(1).max(60, 'keep the meaning to 60 characters').optional(),
    responseTime: duration.optional(),
    emoji: z.string().regex(/^:[a-z0-9_+-]+:$/, { message: 'expected an emoji shortcode like ":red_circle:"' }).optional(),
    updateReminder: duration.optional(),
  })
  .strict();

/** Who an escalation notifies: Slack user ids (U…/W…) or user-group ids (S…). */
const notifyList = z
  .array(z.string().regex(/^[UWS][A-Z0-9]{2,}$/, { message: 'expected a Slack user id (U…) or user-group id (S…)' }))
  .max(20, 'at most 20 people or groups per level')
  .default([]);

/** A PagerDuty Events API v2 routing key; empty (an unset ${VAR:-}) means "no paging". */
const routingKey = z
  .string()
  .regex(/^[A-Za-z0-9]{0,64}$/, { message: 'expected a PagerDuty integration (routing) key: letters and digits' })
  .transform((k) => (k === '' ? undefined : k))
  .optional();

const escalationLevel = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, { message: 'expected a short name like "L2"' }),
    after: duration,
    notify: notifyList,
    pagerduty: routingKey,
    until: z.enum(['acknowledged', 'resolved'], { error: 'expected "acknowledged" or "resolved"' }).default('acknowledged'),
    /** The severities the level applies to; a level that does not say applies to every severity. */
    severities: z
      .array(z.enum(SEVERITY_LEVELS, { error: `expected one of ${SEVERITY_LEVELS.join(', ')}` }), {
        error: `expected a list of severities like [P0, P1] (leave the key out for every severity)`,
      })
      .min(1, `list at least one severity (of ${SEVERITY_LEVELS.join(', ')}), or leave the key out for every severity`)
      .refine((list) => new Set(list).size === list.length, { message: 'list each severity once' })
      .default([...SEVERITY_LEVELS]),
  })
  .strict();

/**
 * The playbook's escalation matrix by elapsed time; L1 (0–15 min, on-call in Slack) is the
 * announcement itself. P3 reaches nobody beyond it, P2 stops at L2; P0 and P1 go all the way.
 */
const DEFAULT_LEVELS = [
  { name: 'L2', after: 15 * 60_000, notify: [], pagerduty: undefined, until: 'acknowledged' as const, severities: ['P0', 'P1', 'P2'] as SeverityLevel[] },
  { name: 'L3', after: 30 * 60_000, notify: [], pagerduty: undefined, until: 'resolved' as const, severities: ['P0', 'P1'] as SeverityLevel[] },
  { name: 'L4', after: 60 * 60_000, notify: [], pagerduty: undefined, until: 'resolved' as const, severities: ['P0', 'P1'] as SeverityLevel[] },
];

const escalationSchema = z
  .object({
    levels: z
      .array(escalationLevel)
      .max(10, 'at most 10 escalation levels')
      .refine((levels) => new Set(levels.map((l) => l.name)).size === levels.length, { message: 'level names must be different' })
      .default(DEFAULT_LEVELS),
    responseDeadline: z.object({ notify: notifyList, pagerduty: routingKey }).strict().default({ notify: [], pagerduty: undefined }),
    // Severities paged on PagerDuty at declaration (seed 000: a P0 pages at once), with pagerduty.routingKey.
    pageOnOpen: z
      .array(z.enum(SEVERITY_LEVELS))
      .refine((list) => new Set(list).size === list.length, { message: 'list each severity once' })
      .default([]),
    pagerduty: z
      .object({
        url: z.string().regex(/^https?:\/\/\S+$/, { message: 'expected an http(s) URL' }).default('https://events.pagerduty.com/v2/enqueue'),
        timeout: duration.default(5000),
        /** The routing key of the page at declaration (pageOnOpen). */
        routingKey,
      })
      .strict()
      .default({ url: 'https://events.pagerduty.com/v2/enqueue', timeout: 5000, routingKey: undefined }),
  })
  .strict()
  .refine((e) => e.pageOnOpen.length === 0 || Boolean(e.pagerduty.routingKey), {
    message: 'pageOnOpen pages at declaration: set escalation.pagerduty.routingKey (an Events API v2 routing key), or empty the list',
    path: ['pageOnOpen'],
  });

const link = z
  .object({
    label: z.string().min(1).max(40, 'keep link labels to 40 characters'),
    url: z.string().regex(/^https?:\/\/[^\s|<>]+$/, { message: 'expected an http(s) URL without spaces' }),
  })
  .strict();

const approvalsSchema = z
  .object({
    approvers: notifyList,
    expiresAfter: duration.default(10 * 60_000),
    dryRun: z.boolean({ error: 'expected true or false' }).default(false),
  })
  .strict();

const remediationSchema = z
  .object({
    allow: z
      .object({
        kubernetes: z.object({ namespaces: z.array(z.string()).default([]) }).strict().default({ namespaces: [] }),
        postgres: z.array(z.string()).default([]),
        redis: z.array(z.string()).default([]),
        docker: z.array(z.string()).default([]),
        hosts: z.array(z.string()).default([]),
        rabbitmq: z.array(z.string()).default([]),
      })
      .strict()
      .default({ kubernetes: { namespaces: [] }, postgres: [], redis: [], docker: [], hosts: [], rabbitmq: [] }),
    maxReplicas: z.number().int().min(1).max(1000).default(20),
    /**
     * How long a running action's claim lasts unless its runner renews it (it does, every third of
     * this, while the action runs); once it has ended, the runner is taken to have stopped and any
     * replica marks the request interrupted. The default is above the longest an action may take
     * (one minute to run, two to verify), so a runner that cannot renew is still never taken for
     * stopped while its action may be running.
     */
    executionLease: duration
      .pipe(z.number().min(1000, { message: 'expected at least 1s' }).max(24 * 3_600_000, { message: 'expected at most 24h' }))
      .default(5 * 60_000),
  })
  .strict();

/**
 * POST /hooks/alertmanager: Alertmanager's webhook (payload version 4) opens incidents. Off (the
 * route answers 404) until a token is set; an empty token (an unset `${VAR:-}`) leaves it off.
 */
const alertmanagerSchema = z
  .object({
    token: z
      .string({ error: 'expected the bearer token Alertmanager sends, like "${ALERTMANAGER_TOKEN}"' })
      .refine((t) => t === '' || /^[\x21-\x7e]{16,512}$/.test(t), {
        message: 'expected a bearer token of 16 to 512 visible ASCII characters, no spaces (generate one with `openssl rand -hex 32`)',
      })
      .transform((t) => (t === '' ? undefined : t))
      .optional(),
    severityLabel: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/, { message: 'expected a Prometheus label name like "severity"' })
      .default('severity'),
    severities: z
      .record(
        z.string().min(1, 'a label value cannot be empty').max(100, 'keep label values to 100 characters'),
        z.enum(SEVERITY_LEVELS, { error: `expected one of ${SEVERITY_LEVELS.join(', ')}` }),
      )
      .refine((m) => Object.keys(m).length <= 50, { message: 'at most 50 label values' })
      .default({ critical: 'P1', warning: 'P2' }),
    defaultSeverity: z.enum(SEVERITY_LEVELS, { error: `expected one of ${SEVERITY_LEVELS.join(', ')}` }).default('P3'),
  })
  .strict();

const runbooksSchema = z
  .object({
    /** The directory of the runbooks (*.md directly in it); unset: the runbooks shipped in runbooks/. */
    dir: z.string({ error: 'expected the path of a directory of runbooks' }).min(1).optional(),
    /** true: a runbook's checks run as soon as it is started, instead of waiting for their buttons. */
    autoRunChecks: z.boolean({ error: 'expected true or false' }).default(false),
  })
  .strict();

const fileSchema = z
  .object({
    incidents: z.preprocess((v) => v ?? {}, z
      .object({
        channel: channelRef,
        locale: z.enum(['en', 'fr'], { error: (i) => `expected "en" or "fr", got ${JSON.stringify(i.input)}` }).default('en'),
        updateReminder: duration.default(15 * 60_000),
        createChannel: z.boolean({ error: 'expected true or false' }).default(true),
        severities: z
          .object(Object.fromEntries(SEVERITY_LEVELS.map((l) => [l, severityOverride.optional()])) as Record<SeverityLevel, z.ZodOptional<typeof severityOverride>>)
          .strict()
          .default({}),
        links: z.array(link).max(10, 'at most 10 links fit on the summary card').default([]),
      })
      .strict()),
    escalation: z.preprocess((v) => v ?? {}, escalationSchema),
    targets: z.preprocess((v) => v ?? {}, targetsSchema),
    diagnostics: z.preprocess(
      (v) => v ?? {},
      z
        .object({
          timeout: duration.default(5000),
          // Distinct diagnoses at once in one process (the same one asked again joins the run in flight).
          concurrency: z.number().int().min(1, 'at least 1').max(64, 'at most 64').default(4),
          // Diagnoses waiting for a turn before new ones are refused with the numbers.
          queue: z.number().int().min(0, 'at least 0').max(1000, 'at most 1000').default(50),
        })
        .strict(),
    ),
    approvals: z.preprocess((v) => v ?? {}, approvalsSchema),
    remediation: z.preprocess((v) => v ?? {}, remediationSchema),
    alertmanager: z.preprocess((v) => v ?? {}, alertmanagerSchema),
    runbooks: z.preprocess((v) => v ?? {}, runbooksSchema),
  })
  .strict();

export type FileConfig = z.infer<typeof fileSchema>;

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string;
    /** Set for Socket Mode. */
    appToken: string | undefined;
    /** Web API base URL, with a trailing slash. */
    apiUrl: string;
  };
  http: { port: number };
  store: { databaseUrl: string | undefined; schema: string | undefined; dataDir: string };
  logLevel: (typeof LOG_LEVELS)[number];
  /** Directory holding <locale>/<template>.md; unset: the templates shipped in runbooks/templates. */
  templatesDir: string | undefined;
  incidents: FileConfig['incidents'];
  escalation: FileConfig['escalation'];
  targets: FileConfig['targets'];
  diagnostics: FileConfig['diagnostics'];
  approvals: FileConfig['approvals'];
  remediation: FileConfig['remediation'];
  alertmanager: FileConfig['alertmanager'];
  /** `dir`: FIREBREAK_RUNBOOKS_DIR, else the file's runbooks.dir; unset: the runbooks shipped in runbooks/. */
  runbooks: { dir: string | undefined; autoRunChecks: boolean };
  /** The YAML file read, if any. */
  configFile: string | undefined;
}

export type ConfigResult = { ok: true; config: Readonly<Config> } | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

/** What substitution saw: the variables the file names, and the keys left without a value. */
export interface Substitution {
  used: Set<string>;
  unset: Set<string>;
}

/** Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree. */
export function substituteEnv(value: unknown, env: Env, path: string[], problems: string[], seen: Substitution = { used: new Set(), unset: new Set() }): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      seen.used.add(name);
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${path.join('.') || '(root)'}: environment variable ${name} is not set`);
      seen.unset.add(path.join('.'));
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, String(i)], problems, seen));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], problems, seen)]),
    );
  }
  return value;
}

function readFileConfig(file: string, env: Env, problems: string[], seen: Substitution): unknown {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(readProblem(file, err));
    return undefined;
  }
  let raw: unknown;
  try {
    raw = parseYaml(source);
  } catch (err) {
    problems.push(yamlProblem(file, source, err));
    return undefined;
  }
  return substituteEnv(raw ?? {}, env, [], problems, seen);
}

/** What a problem must never show: the Slack credentials, the database password, secret-looking variables the file uses. */
function secretInputs(env: Env, used: ReadonlySet<string>): string[] {
  // Variables whose names say they hold a credential: their values are never echoed in a problem.
  const named = [...used].filter((name) => namesSecret(name)).map((name) => env[name]);
  return [env.SLACK_BOT_TOKEN, env.SLACK_SIGNING_SECRET, env.SLACK_APP_TOKEN, ...urlPassword(env.DATABASE_URL), ...named].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
}

/** Reads and validates everything; never throws for bad input, lists every problem instead. */
export function loadConfig(env: Env = process.env, cwd = process.cwd(), options: { requireSlack?: boolean } = {}): ConfigResult {
  const problems: string[] = [];

  // The command-line diagnostics talk to no Slack: they need no credentials.
  const missing = options.requireSlack === false ? [] : ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'].filter((k) => !env[k]);
  if (missing.length) {
    problems.push(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: Firebreak needs the bot token (xoxb-…) and the signing secret of its Slack app (README, "Creating the Slack app"). Add SLACK_APP_TOKEN (xapp-…) too for Socket Mode.`,
    );
  }

  const explicit = env.FIREBREAK_CONFIG;
  const file = explicit ?? (existsSync(`${cwd}/firebreak.yml`) ? `${cwd}/firebreak.yml` : undefined);
  let fileValue: unknown = {};
  const seen: Substitution = { used: new Set(), unset: new Set() };
  if (file !== undefined) {
    if (!existsSync(file)) {
      problems.push(`FIREBREAK_CONFIG: file "${file}" does not exist`);
      fileValue = undefined;
    } else fileValue = readFileConfig(file, env, problems, seen);
  }

  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT: expected a port number 0-65535, got "${env.PORT}"`);
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const apiUrl = env.SLACK_API_URL ?? 'https://slack.com/api/';
  if (!/^https?:\/\/\S+$/.test(apiUrl)) problems.push(`SLACK_API_URL: expected an http:// or https:// URL, got ${shown(apiUrl)}`);
  if (env.DATABASE_URL !== undefined && !/^postgres(?:ql)?:\/\/\S+$/.test(env.DATABASE_URL)) {
    problems.push(`DATABASE_URL: expected a postgres:// or postgresql:// URL (unset it to use the embedded database), got ${shown(env.DATABASE_URL)}`);
  }
  const schema = env.DATABASE_SCHEMA;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) problems.push(`DATABASE_SCHEMA: expected a lowercase SQL identifier, got "${schema}"`);

  let parsed: FileConfig | undefined;
  if (fileValue !== undefined) {
    const result = fileSchema.safeParse(fileValue ?? {}, { reportInput: true, error: configErrorMap });
    if (result.success) parsed = result.data;
    else {
      // A key whose variable is unset is already reported as such; what its empty value breaks is not news.
      const issues = result.error.issues.filter((issue) => !seen.unset.has(issue.path.join('.')));
      for (const issue of issues) problems.push(describeIssue(issue, fileSchema, file ?? 'the configuration'));
    }
  }
  if (problems.length || !parsed) {
    // Problems go to the terminal before any logger exists: scrubbed here, whatever produced them.
    const scrub = makeScrubber(secretInputs(env, seen.used));
    return { ok: false, problems: problems.map(scrub) };
  }

  const config: Config = {
    slack: {
      botToken: env.SLACK_BOT_TOKEN ?? '',
      signingSecret: env.SLACK_SIGNING_SECRET ?? '',
      appToken: env.SLACK_APP_TOKEN || undefined,
      apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    },
    http: { port },
    store: { databaseUrl: env.DATABASE_URL || undefined, schema, dataDir: env.FIREBREAK_DATA_DIR ?? './.firebreak-data' },
    logLevel: logLevel as Config['logLevel'],
    templatesDir: env.FIREBREAK_TEMPLATES_DIR || undefined,
    incidents: parsed.incidents,
    escalation: parsed.escalation,
    targets: parsed.targets,
    diagnostics: parsed.diagnostics,
    approvals: parsed.approvals,
    remediation: parsed.remediation,
    alertmanager: parsed.alertmanager,
    runbooks: { dir: env.FIREBREAK_RUNBOOKS_DIR || parsed.runbooks.dir, autoRunChecks: parsed.runbooks.autoRunChecks },
    configFile: file,
  };
  return { ok: true, config: deepFreeze(config) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every secret value in the config, so the logger can scrub them from any output. */
export function secretsOf(config: Config): string[] {
  const out = [config.slack.botToken, config.slack.signingSecret, config.slack.appToken];
  for (const level of [...config.escalation.levels, config.escalation.responseDeadline]) out.push(level.pagerduty);
  out.push(config.escalation.pagerduty.routingKey);
  out.push(...targetSecrets(config.targets));
  out.push(config.alertmanager.token);
  out.push(...urlPassword(config.store.databaseUrl));
  // Endpoints that could be given with credentials in them (a proxy in front of Slack, a PagerDuty relay).
  out.push(...urlPassword(config.slack.apiUrl), ...urlPassword(config.escalation.pagerduty.url));
  return [...new Set(out.filter((s): s is string => typeof s === 'string' && s.length >= 4))];
}

/** The severity model after the config's overrides (names, meanings, response times, emoji). */
export function severitiesOf(config: Pick<Config, 'incidents'>): Readonly<Record<SeverityLevel, Severity>> {
  const out = {} as Record<SeverityLevel, Severity>;
  for (const level of SEVERITY_LEVELS) {
    const o = config.incidents.severities[level] ?? {};
    const d = DEFAULT_SEVERITIES[level];
    out[level] = {
      ...d,
      ...(o.name ? { name: o.name } : {}),
      ...(o.meaning ? { meaning: o.meaning } : {}),
      ...(o.emoji ? { emoji: o.emoji } : {}),
      ...(o.responseTime ? { responseSeconds: Math.round(o.responseTime / 1000) } : {}),
    };
  }
  return Object.freeze(out);
}
