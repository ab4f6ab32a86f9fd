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
