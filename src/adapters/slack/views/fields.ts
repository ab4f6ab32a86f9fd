/** Small builders for modal inputs, shared by every form Firebreak opens. */
import { z } from 'zod';
import { replyTarget } from '../ids.js';

export const plainText = (text: string) => ({ type: 'plain_text', text, emoji: true });

/** An input block whose block_id equals its action_id, so `values[id][id]` reads it. */
export function input(id: string, label: string, element: Record<string, unknown>, options: { optional?: boolean; hint?: string } = {}) {
  return {
    type: 'input',
    block_id: id,
    optional: options.optional ?? false,
    label: plainText(label),
    ...(options.hint ? { hint: plainText(options.hint) } : {}),
    element: { ...element, action_id: id },
  };
}

export function textInput(placeholder: string, multiline: boolean, maxLength: number, initial?: string) {
  return {
    type: 'plain_text_input',
    multiline,
    max_length: maxLength,
    placeholder: plainText(placeholder),
    ...(initial ? { initial_value: initial } : {}),
  };
}

/** Slack's state.values for the elements Firebreak's modals use; anything else is ignored. */
const element = z.object({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_user: z.string().nullish(),
  selected_date: z.string().nullish(),
});
export const stateValues = z.record(z.string(), z.record(z.string(), element));
export type StateValues = z.infer<typeof stateValues>;

export function reader(values: StateValues) {
  return {
    text(id: string): string | null {
      const t = values[id]?.[id]?.value?.trim();
      return t ? t : null;
    },
    option(id: string): string | null {
      return values[id]?.[id]?.selected_option?.value ?? null;
    },
    user(id: string): string | null {
      return values[id]?.[id]?.selected_user ?? null;
    },
    date(id: string): string | null {
      return values[id]?.[id]?.selected_date ?? null;
    },
  };
}

/** What travels in private_metadata of the incident forms: which incident, where to answer. */
export const incidentFormMetadata = z.object({ incidentId: z.uuid(), channelId: replyTarget });
export type IncidentFormMetadata = z.infer<typeof incidentFormMetadata>;
