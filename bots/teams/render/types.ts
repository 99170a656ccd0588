/** The Adaptive Card 1.5 shapes Patchbay's Teams cards use (plain JSON: no SDK in render/). */
import type { OpenUrl, RichTextBlock } from './text.ts';

export type ActionStyle = 'positive' | 'destructive';

export type ExecuteAction = {
  type: 'Action.Execute';
  title: string;
  verb: string;
  data: Record<string, unknown>;
  style?: ActionStyle;
  associatedInputs?: 'auto' | 'none';
};
export type CardAction = ExecuteAction | (OpenUrl & { title: string; style?: ActionStyle });

export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  version: '1.5';
  body: CardElement[];
  actions?: CardAction[];
  msteams: { width: 'Full' };
};

export type ActionSet = { type: 'ActionSet'; actions: CardAction[]; spacing?: 'Medium'; separator?: boolean };
export type InputText = {
  type: 'Input.Text';
  id: string;
  label: string;
  isRequired: boolean;
  errorMessage?: string;
  placeholder?: string;
  value?: string;
  style?: 'password';
  isMultiline?: boolean;
  maxLength?: number;
  spacing?: 'Medium';
  separator?: boolean;
};
export type InputChoiceSet = {
  type: 'Input.ChoiceSet';
  id: string;
  label: string;
  isRequired: boolean;
  errorMessage?: string;
  placeholder?: string;
  value?: string;
  style: 'compact';
  choices: Array<{ title: string; value: string }>;
  spacing?: 'Medium';
  separator?: boolean;
};
export type Column = { type: 'Column'; width: number; items: RichTextBlock[] };
export type ColumnSet = { type: 'ColumnSet'; columns: Column[]; spacing?: 'None' | 'Small'; separator?: boolean };
export type CardElement = RichTextBlock | ActionSet | InputText | InputChoiceSet | ColumnSet;

export const emptyCard = (body: CardElement[] = []): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body,
  msteams: { width: 'Full' },
});

