/**
 * Every Slack interaction Firebreak answers besides slash commands (register-commands.ts): modal
 * submissions, clicks, events. One file per interaction; this list is what gets registered.
 */
import type { App, BlockAction } from '@slack/bolt';
import type { AppContext } from '../../../app/context.js';
import { acknowledgeClicked } from './acknowledge-clicked.js';
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
import { snoozeClicked } from './snooze-clicked.js';
import { updateSubmitted } from './update-submitted.js';
import type { Listener } from './types.js';
import type { Routes } from '../payload-screen.js';

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
  pinReacted,
];

/** The action ids, view callback ids and event types the listeners answer (the payload screen's routes). */
export function listenerRoutes(): Omit<Routes, 'commands'> {
  const ids = (kind: Listener['kind']) => LISTENERS.filter((l) => l.kind === kind).map((l) => l.id);
  return { actions: ids('action'), views: ids('view'), events: LISTENERS.flatMap((l) => (l.kind === 'event' ? [l.id] : [])) };
}

export function registerListeners(app: App, ctx: AppContext): void {
  for (const listener of LISTENERS) {
    switch (listener.kind) {
      case 'view':
        app.view(listener.id, (args) => listener.handle(args, ctx));
        break;
      case 'action':
        app.action<BlockAction>(listener.id, (args) => listener.handle(args, ctx));
        break;
      case 'event':
        app.event(listener.id, (args) => listener.handle(args, ctx));
        break;
    }
  }
}
