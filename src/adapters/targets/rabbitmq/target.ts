/**
 * A configured RabbitMQ target: the broker's AMQP URL (its vhost in the path), optionally the
 * management HTTP API, the queues to check, which of them are dead-letter queues, the thresholds
 * their depth is graded against, and the queues rabbitmq.purge may empty. From configuration only,
 * never from user input.
 */
import QS from 'node:querystring';
import { z } from 'zod';
import { asNumber, checkOrder, connectionUrl, everyProblem, httpUrl, targetName, wholeNumber } from '../shared/schema.js';

export interface RabbitThresholds {
  /** Messages ready for delivery in a work queue: warning from this many. */
  readyWarn: number;
  /** Same: critical from this many. */
  readyCritical: number;
  /** Messages delivered and not yet acknowledged (management API only): warning from this many. */
  unackedWarn: number;
  /** Same: critical from this many. */
  unackedCritical: number;
  /** Messages in a dead-letter queue: critical from this many (a warning from the first one). */
  deadLetterCritical: number;
}

/**
 * Seed 004 names one number for queues: a queue longer than 1000 messages is a P1 symptom (severe
 * degradation, answered within 30 minutes, by doubling the workers). The warning is that line: a
 * queue past it is already an incident. The critical value is ten times it: a backlog an order of
 * magnitude past the point where the seed already scales out is one that scaling has not absorbed.
 * A dead-letter queue holds work that failed: 1000 of them is the same P1 line.
 */
export const DEFAULT_RABBIT_THRESHOLDS: Readonly<RabbitThresholds> = Object.freeze({
  readyWarn: 1000,
  readyCritical: 10_000,
  unackedWarn: 1000,
  unackedCritical: 10_000,
  deadLetterCritical: 1000,
});

/** Queue names that read as dead-letter queues when no deadLetterPattern is configured. */
export const DEFAULT_DEAD_LETTER_PATTERN = '(^|[._-])(dead[._-]?letters?|dlq)$';

export interface RabbitTarget {
  name: string;
  /** amqp://user:password@host:5672/vhost (the vhost URL-encoded: %2F for "/"), or amqps://. */
  url: string;
  /** The management plugin's base URL (http://host:15672), with credentials or using the AMQP URL's. */
  management?: string | undefined;
  /** The queues to check; absent: every queue of the vhost, which needs `management`. */
  queues?: string[] | undefined;
  /** Queues that are dead-letter queues, checked even when not in `queues`. */
  deadLetterQueues?: string[] | undefined;
  /** A regular expression (case-insensitive): queues whose names match are dead-letter queues; "" for none. */
  deadLetterPattern?: string | undefined;
  thresholds?: Partial<RabbitThresholds> | undefined;
  /** Thresholds of single queues, over the target's. */
  queueThresholds?: Record<string, Partial<RabbitThresholds>> | undefined;
  /** The only queues rabbitmq.purge may empty. */
  purgeable?: string[] | undefined;
}

/** RabbitMQ's own limit is 255 bytes; control characters are refused here (they cannot be typed in Slack). */
export const QUEUE_NAME = /^[^\u0000-\u001f\u007f]{1,255}$/u;
const queueName = z
  .string({ error: 'expected a queue name' })
  .regex(QUEUE_NAME, { message: 'expected a queue name: 1 to 255 characters, no control characters' });
const queueList = (what: string) =>
  z.array(queueName, { error: `expected a list of queue names, like [${what}]` }).min(1, 'list at least one queue, or leave the key out').max(200, 'at most 200 queues');

const thresholdKeys = {
  readyWarn: wholeNumber(1).optional(),
  readyCritical: wholeNumber(1).optional(),
  unackedWarn: wholeNumber(1).optional(),
  unackedCritical: wholeNumber(1).optional(),
  deadLetterCritical: wholeNumber(1).optional(),
};

/** The defaults with the values over them, in order (keys left undefined keep what is below). */
export function resolveRabbitThresholds(...layers: Array<Partial<RabbitThresholds> | undefined>): RabbitThresholds {
  const out: RabbitThresholds = { ...DEFAULT_RABBIT_THRESHOLDS };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer ?? {})) if (typeof v === 'number' && Number.isFinite(v)) out[k as keyof RabbitThresholds] = v;
  }
  return out;
}

/** Warning and critical thresholds that must be in that order once merged. */
const PAIRS = [['readyWarn', 'readyCritical'], ['unackedWarn', 'unackedCritical']] as const;

export const rabbitThresholdsSchema = z.strictObject(thresholdKeys).superRefine((t, ctx) => {
  const resolved = resolveRabbitThresholds(t);
  for (const [warn, crit] of PAIRS) checkOrder(ctx, t, resolved, [warn, crit, asNumber]);
}, everyProblem);

function validPattern(text: string): string | undefined {
  try {
    new RegExp(text, 'iu');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** One entry of `targets.rabbitmq` in the configuration. */
export const rabbitTargetSchema = z
  .strictObject({
    name: targetName,
    url: connectionUrl('amqp', 'amqps'),
    management: httpUrl().optional(),
    queues: queueList('orders, emails').optional(),
    deadLetterQueues: queueList('dead_letter').optional(),
    deadLetterPattern: z.string({ error: 'expected a regular expression, like "\\\\.dlq$"' }).max(500).optional(),
    thresholds: rabbitThresholdsSchema.optional(),
    queueThresholds: z
      .record(queueName, z.strictObject(thresholdKeys), { error: 'expected queue names, each with its thresholds: { orders: { readyWarn: 5000 } }' })
      .optional(),
    purgeable: queueList('dead_letter').optional(),
  })
  .superRefine((t, ctx) => {
    if (!t.management && !t.queues && !t.deadLetterQueues) {
      ctx.addIssue({ code: 'custom', path: ['queues'], message: 'over AMQP alone the queues cannot be listed: name them (queues, deadLetterQueues), or configure management to read every queue of the vhost' });
    }
    if (t.deadLetterPattern !== undefined) {
      const problem = validPattern(t.deadLetterPattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['deadLetterPattern'], message: `not a regular expression: ${problem}` });
    }
    for (const [queue, own] of Object.entries(t.queueThresholds ?? {})) {
      const resolved = resolveRabbitThresholds(t.thresholds, own);
      for (const [warn, crit] of PAIRS) {
        if (resolved[warn] <= resolved[crit]) continue;
        const side = (key: keyof RabbitThresholds) => `${key} (${resolved[key]}${own[key] === undefined ? ", the target's" : ''})`;
        ctx.addIssue({ code: 'custom', path: ['queueThresholds', queue, own[warn] === undefined ? crit : warn], message: `${side(warn)} must not be above ${side(crit)}` });
      }
    }
  });

/** The vhost the URL names: its path, URL-decoded; "/" when it has none. */
export function vhostOf(url: string): string {
  try {
    const path = new URL(url).pathname.slice(1);
    return path === '' ? '/' : QS.unescape(path);
  } catch {
    return '/';
  }
}

/** The URL as it may be shown: scheme, host and port, never the credentials or options. */
export function displayAmqp(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

/** host:port of the AMQP URL (5672, or 5671 for amqps:// when it names none). */
export function hostPortOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The thresholds of one queue: the defaults, the target's, the queue's own. */
export const thresholdsFor = (target: RabbitTarget, queue: string): RabbitThresholds =>
  resolveRabbitThresholds(target.thresholds, target.queueThresholds?.[queue]);

/** Whether a queue is one of the target's dead-letter queues (named, or matching the pattern). */
export function deadLetterTest(target: RabbitTarget): (queue: string) => boolean {
  const named = new Set(target.deadLetterQueues ?? []);
  const source = target.deadLetterPattern ?? DEFAULT_DEAD_LETTER_PATTERN;
  const pattern = source === '' ? undefined : new RegExp(source, 'iu');
  return (queue) => named.has(queue) || (pattern?.test(queue) ?? false);
}
