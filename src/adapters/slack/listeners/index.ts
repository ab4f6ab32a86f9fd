/**
 * Every Slack interaction Firebreak answers besides slash commands (register-commands.ts): modal
 * submissions, clicks, events. One file per interaction; this list is what gets registered.
 */
import type { App, BlockAction } from '@slack/bolt';
import type { z } from 'zod';
import type { AppContext } from '../../../app/context.js';
import { acknowledgeClicked } from './acknowledge-clicked.js';
import { answerPrivately } from './answer.js';
import { approveClicked } from './approve-clicked.js';
import { checklistTicked } from './checklist-ticked.js';
import { diagnosticsSubmitted } from './diagnostics-submitted.js';
import { joinClicked } from './join-clicked.js';
import { openIncidentSubmitted } from './open-incident-submitted.js';
import { pinReacted } from './pin-reacted.js';
import { postUpdateClicked } from './post-update-clicked.js';
import { rejectClicked } from './reject-clicked.js';
import { remediateFindingClicked } from './remediate-finding-clicked.js';
import { resolveSubmitted } from './resolve-submitted.js';
import { runbookNotifyClicked } from './runbook-notify-clicked.js';
import { runbookPageClicked } from './runbook-page-clicked.js';
import { runbookStartClicked } from './runbook-start-clicked.js';
import { runbookStepClicked } from './runbook-step-clicked.js';
import { snoozeClicked } from './snooze-clicked.js';
import { updateSubmitted } from './update-submitted.js';
import type { ActionListener, EventListener, Listener, ViewListener } from './types.js';
import type { Routes } from '../payload-screen.js';
import { currentSlackRequest, requestContext } from '../request-scope.js';

export type { Listener } from './types.js';

export const LISTENERS: readonly Listener[] = [
  openIncidentSubmitted,
  updateSubmitted,
  resolveSubmitted,
  diagnosticsSubmitted,
  acknowledgeClicked,
  joinClicked,
  postUpdateClicked,
  snoozeClicked,
  checklistTicked,
  approveClicked,
  rejectClicked,
  remediateFindingClicked,
  runbookStepClicked,
  runbookNotifyClicked,
  runbookPageClicked,
  runbookStartClicked,
  pinReacted,
];

/** The action ids, view callback ids and event types the listeners answer (the payload screen's routes). */
export function listenerRoutes(): Omit<Routes, 'commands'> {
  const ids = (kind: Listener['kind']) => LISTENERS.filter((l) => l.kind === kind).map((l) => l.id);
  return { actions: ids('action'), views: ids('view'), events: LISTENERS.flatMap((l) => (l.kind === 'event' ? [l.id] : [])) };
}

/** Matches every id: the payload screen has already refused the ones no listener answers. */
const ANY_ID = /^/;

/**
 * The listener of each id, among those of one kind: exact ids in a map, then the patterns in the
 * order of the list. The list is built so that no id matches two listeners (a test holds it).
 */
export function listenerTable<L extends Listener>(listeners: readonly L[]): (id: string) => L | undefined {
  const exact = new Map<string, L>();
  const patterns: L[] = [];
  for (const l of listeners) {
    if (typeof l.id === 'string') exact.set(l.id, l);
    else patterns.push(l);
  }
  return (id) => exact.get(id) ?? patterns.find((l) => (l.id as RegExp).test(id));
}

/**
 * Each listener runs only on what its schema reads. A payload that does not match is acknowledged
 * at once (a form closes, a click is answered privately, an event was acknowledged by Bolt) and
 * logged; nothing else happens.
 *
 * Bolt runs every request through the matching middleware of every listener it was given, so the
 * listeners are handed to it as one per kind, each finding its own in a table: a click costs one
 * match and a map lookup instead of a pass through seventeen middleware chains.
 */
export function registerListeners(app: App, appCtx: AppContext): void {
  const unreadable = (listener: Listener, error: z.ZodError) => {
    const issue = error.issues[0];
    const why = issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'unreadable';
    currentSlackRequest()?.mark('ignored');
    edgeLog().warn({ kind: listener.kind, id: String(listener.id), why }, `ignored a Slack payload the ${String(listener.id)} listener cannot read (${why})`);
  };
  // A payload the screen let through with no listener: only if the routes and the tables disagree.
  const unrouted = (kind: Listener['kind'], id: string) => {
    currentSlackRequest()?.mark('ignored');
    edgeLog().error({ kind, id }, `no ${kind} listener answers ${JSON.stringify(id.slice(0, 80))}; acknowledged and ignored`);
  };
  // Each request's own context: the same, with a logger whose lines carry the request's id.
  const edgeLog = () => requestContext(appCtx).logger.child({ component: 'slack-edge' });

  const views = listenerTable(LISTENERS.filter((l): l is ViewListener => l.kind === 'view'));
  app.view({ callback_id: ANY_ID, type: 'view_submission' }, async (args) => {
    const listener = views(args.view.callback_id);
    if (!listener) {
      unrouted('view', args.view.callback_id);
      await args.ack();
      return;
    }
    const read = listener.read.safeParse({ body: args.body, view: args.view });
    if (read.success) return listener.handle(args, requestContext(appCtx), read.data);
    unreadable(listener, read.error);
    await args.ack();
  });

  const actions = listenerTable(LISTENERS.filter((l): l is ActionListener => l.kind === 'action'));
  app.action<BlockAction>(ANY_ID, async (args) => {
    // A string for every block action; the screen lets no other kind of action through.
    const id = String((args.action as { action_id?: unknown }).action_id ?? '');
    const listener = actions(id);
    if (!listener) {
      unrouted('action', id);
      await args.ack();
      return;
    }
    const read = listener.read.safeParse({ body: args.body, action: args.action });
    if (read.success) return listener.handle(args, requestContext(appCtx), read.data);
    unreadable(listener, read.error);
    await args.ack();
    await answerPrivately(args.respond, UNREADABLE_CLICK, edgeLog());
  });

  const events = listenerTable(LISTENERS.filter((l): l is EventListener => l.kind === 'event'));
  app.event(ANY_ID, async (args) => {
    const listener = events(args.event.type);
    if (!listener) return unrouted('event', args.event.type);
    const read = listener.read.safeParse({ body: args.body, event: args.event });
    if (read.success) return listener.handle(args, requestContext(appCtx), read.data);
    unreadable(listener, read.error);
  });
}

const UNREADABLE_CLICK = ':warning: Firebreak could not read this click, so it did nothing. If the message is old, run the command again for a fresh one.';
