/**
 * The declarative shape of a Slack listener: which interaction it answers (a view's callback_id,
 * an action_id, an event type), what it reads of the payload (a zod schema, checked before it
 * runs) and what it does with it. index.ts hands the list to Bolt as one listener per kind, each
 * finding its own by id in a table.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { z } from 'zod';
import type { AppContext } from '../../../app/context.js';

export type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
export type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
export type EventArgs<E extends string = string> = SlackEventMiddlewareArgs<E> & AllMiddlewareArgs;

// `handle` is declared as a method so that its parameters are checked bivariantly: a listener
// typed for what it reads then fits the one list of all listeners.

export interface ViewListener<P = unknown> {
  kind: 'view';
  /** The modal's callback_id. */
  id: string | RegExp;
  /** Read from `{ body, view }`. */
  read: z.ZodType<P>;
  handle(args: ViewArgs, ctx: AppContext, submitted: P): Promise<void>;
}

export interface ActionListener<P = unknown> {
  kind: 'action';
  /** The element's action_id; a RegExp when the id carries data after a prefix. */
  id: string | RegExp;
  /** Read from `{ body, action }`. */
  read: z.ZodType<P>;
  handle(args: ActionArgs, ctx: AppContext, clicked: P): Promise<void>;
}

export interface EventListener<P = unknown> {
  kind: 'event';
  /** The Events API event type. */
  id: string;
  /** Read from `{ body, event }`. */
  read: z.ZodType<P>;
  handle(args: EventArgs, ctx: AppContext, event: P): Promise<void>;
}

export type Listener = ViewListener | ActionListener | EventListener;
