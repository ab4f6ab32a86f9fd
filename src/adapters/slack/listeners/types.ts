/**
 * The declarative shape of a Slack listener: which interaction it answers (a view's callback_id,
 * an action_id, an event type) and what it does with it. index.ts registers the list in one loop.
 */
import type { AllMiddlewareArgs, BlockAction, BlockElementAction, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../app/context.js';

export type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
/** `A`: the element behind the action_id. Like Bolt's own type parameter, it is trusted, not checked. */
export type ActionArgs<A extends BlockElementAction = BlockElementAction> = SlackActionMiddlewareArgs<BlockAction<A>> & AllMiddlewareArgs;
export type EventArgs<E extends string = string> = SlackEventMiddlewareArgs<E> & AllMiddlewareArgs;

// `handle` is declared as a method so that its parameter is checked bivariantly: a listener typed
// for its own element (a button, checkboxes) or event then fits the one list of all listeners.

export interface ViewListener {
  kind: 'view';
  /** The modal's callback_id. */
  id: string | RegExp;
  handle(args: ViewArgs, ctx: AppContext): Promise<void>;
}

export interface ActionListener<A extends BlockElementAction = BlockElementAction> {
  kind: 'action';
  /** The element's action_id; a RegExp when the id carries data after a prefix. */
  id: string | RegExp;
  handle(args: ActionArgs<A>, ctx: AppContext): Promise<void>;
}

export interface EventListener<E extends string = string> {
  kind: 'event';
  /** The Events API event type. */
  id: E;
  handle(args: EventArgs<E>, ctx: AppContext): Promise<void>;
}

export type Listener = ViewListener | ActionListener | EventListener;
