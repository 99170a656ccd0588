/** Neutral replies → Block Kit: mrkdwn translation, buttons and their confirm dialogs, modals. */
import { describe, expect, it } from 'vitest';
import { parseBlockAction, parseSlashCommand, parseViewSubmission } from '../../bots/slack/parse.ts';
import { formOf, renderMessage } from '../../bots/slack/render/blocks.ts';
import { renderButton } from '../../bots/slack/render/buttons.ts';
import { clip, mrkdwnText, toMrkdwn, toPlain } from '../../bots/slack/render/mrkdwn.ts';
import { formValues, modalErrors, renderModal } from '../../bots/slack/render/modal.ts';
import { bold, commandButton, ephemeral, inChannel, plain, urlButton, type NeutralReply } from '../../src/commands/view.ts';

describe('mrkdwn', () => {
  it('translates bold, links and mentions and escapes the rest', () => {
    expect(toMrkdwn('**Linear** & <b> by <@U123>: see [the docs](https://linear.app/docs?a=1&b=2)')).toBe(
      '*Linear* &amp; &lt;b&gt; by <@U123>: see <https://linear.app/docs?a=1&b=2|the docs>',
    );
  });

  it('leaves code spans alone apart from escaping', () => {
    expect(toMrkdwn('run `/integrations link <code>` **now**')).toBe('run `/integrations link &lt;code&gt;` *now*');
  });

  it('flattens to plain text for labels and headers', () => {
    expect(toPlain('**Connect** `linear` via [OAuth](https://x.test)')).toBe('Connect linear via OAuth');
  });

  it('clips to a limit with an ellipsis', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
  });
});

describe('buttons', () => {
  it('carries the command line in value and action id, and the confirm dialog of a destructive button', () => {
    const b = renderButton(
      commandButton('Disconnect', 'disconnect', ['6f1c', '--confirmed'], {
        style: 'danger',
        confirm: { title: 'Disconnect **Linear**?', text: 'Deletes the credentials.', confirmLabel: 'Disconnect', denyLabel: 'Cancel' },
      }),
      2,
    );
    expect(b).toEqual({
      type: 'button',
      text: { type: 'plain_text', text: 'Disconnect', emoji: true },
      style: 'danger',
      action_id: 'pb:2:disconnect 6f1c --confirmed',
      value: 'disconnect 6f1c --confirmed',
      confirm: {
        title: { type: 'plain_text', text: 'Disconnect Linear?', emoji: true },
        text: { type: 'plain_text', text: 'Deletes the credentials.', emoji: true },
        confirm: { type: 'plain_text', text: 'Disconnect', emoji: true },
        deny: { type: 'plain_text', text: 'Cancel', emoji: true },
        style: 'danger',
      },
    });
  });

  it('renders URL buttons as links', () => {
    expect(renderButton(urlButton('Connect HubSpot', 'https://app.hubspot.com/oauth/authorize?x=1', 'primary'), 0)).toEqual({
      type: 'button',
      text: { type: 'plain_text', text: 'Connect HubSpot', emoji: true },
      style: 'primary',
      action_id: 'pb-url:0',
      url: 'https://app.hubspot.com/oauth/authorize?x=1',
    });
  });
});

describe('messages', () => {
  it('renders every neutral block within Slack’s limits', () => {
    const reply: NeutralReply = ephemeral('**Linear**', [
      { type: 'header', text: 'Connections (1)' },
      { type: 'section', text: '✅ **Linear**', fields: Array.from({ length: 12 }, (_, i) => ({ label: `F${i}`, value: `v${i}` })), accessory: commandButton('Log', 'log', ['1']) },
      { type: 'context', text: 'Reference: `abc`' },
      { type: 'divider' },
      { type: 'actions', buttons: [commandButton('Test', 'test', ['1']), commandButton('Test', 'test', ['1'])] },
    ]);
    const msg = renderMessage(reply);
    expect(msg.text).toBe('*Linear*');
    expect(msg.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'divider', 'actions']);
    expect((msg.blocks[1] as any).fields).toHaveLength(10);
    expect((msg.blocks[2] as any).fields).toHaveLength(2);
    const ids = (msg.blocks[5] as any).elements.map((e: any) => e.action_id);
    expect(new Set(ids).size).toBe(2);
  });

  it('caps a message at 50 blocks', () => {
    const reply = ephemeral('many', Array.from({ length: 80 }, () => ({ type: 'divider' as const })));
    expect(renderMessage(reply).blocks).toHaveLength(50);
  });
});

describe('modals', () => {
  const reply = ephemeral('form', [
    {
      type: 'form',
      id: 'connect:linear',
      title: 'Connect a very long provider name here',
      intro: 'Paste the **key**.',
      fields: [
        { name: 'apiKey', label: 'Personal API key', secret: true, help: 'Starts with lin_api_.' },
        { name: 'displayName', label: 'Display name', secret: false, optional: true, placeholder: 'Linear' },
      ],
      submitLabel: 'Connect',
    },
  ]);

  it('opens one input per field, with the context in private metadata and titles within 24 characters', () => {
    const view = renderModal(formOf(reply)!, { formId: 'connect:linear', channelId: 'C1', responseUrl: 'https://hooks.slack.com/x' });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.callback_id).toBe('patchbay_form');
    expect(JSON.parse(view.private_metadata!)).toEqual({ formId: 'connect:linear', channelId: 'C1', responseUrl: 'https://hooks.slack.com/x' });
    expect(view.blocks.map((b: any) => [b.type, b.block_id ?? null, b.optional ?? null])).toEqual([
      ['section', null, null],
      ['input', 'apiKey', false],
      ['input', 'displayName', true],
    ]);
    expect((view.blocks[1] as any).hint.text).toMatch(/Starts with lin_api_\. Sent only to Patchbay/);
  });

  it('renders a choice as a static select with its initial option, and text with an initial value, one or several lines', () => {
    const view = renderModal(
      {
        type: 'form',
        id: 'rules:add:c1',
        title: 'Add a sync rule',
        fields: [
          { name: 'direction', label: 'Direction', secret: false, options: [{ value: 'both', label: 'Both ways' }, { value: 'in', label: 'Into Patchbay only' }], initial: 'in' },
          { name: 'frequency', label: 'Every (minutes)', secret: false, initial: '5' },
          { name: 'mapping', label: 'Field mapping', secret: false, multiline: true, initial: 'title = name\ndueDate = due_on' },
        ],
        submitLabel: 'Add rule',
      },
      { formId: 'rules:add:c1', channelId: 'C1' },
    );
    const [direction, frequency, mapping] = view.blocks as any[];
    expect(direction.element).toEqual({
      type: 'static_select',
      action_id: 'direction',
      options: [
        { text: { type: 'plain_text', text: 'Both ways', emoji: true }, value: 'both' },
        { text: { type: 'plain_text', text: 'Into Patchbay only', emoji: true }, value: 'in' },
      ],
      initial_option: { text: { type: 'plain_text', text: 'Into Patchbay only', emoji: true }, value: 'in' },
    });
    expect(frequency.element).toEqual({ type: 'plain_text_input', action_id: 'frequency', initial_value: '5' });
    expect(mapping.element).toEqual({ type: 'plain_text_input', action_id: 'mapping', initial_value: 'title = name\ndueDate = due_on', multiline: true });
  });

  it('reads a select’s selected option and an input’s value from a submission', () => {
    expect(
      formValues({
        direction: { direction: { value: null, selected_option: { value: 'in' } } },
        frequency: { frequency: { value: '10' } },
        scope: { scope: { value: null } },
      }),
    ).toEqual({ direction: 'in', frequency: '10' });
  });

  it('puts field errors on their inputs, and unknown fields on the first', () => {
    expect(modalErrors({ apiKey: 'must start with lin_api_', other: '**bad**' }, ['apiKey', 'displayName'])).toEqual({ apiKey: 'must start with lin_api_ bad' });
  });
});

describe('parsing Slack payloads', () => {
  it('reads a slash command', () => {
    const p = parseSlashCommand({ command: '/integrations', text: 'test linear', team_id: 'T1', team_domain: 'acme', channel_id: 'C1', user_id: 'U1', user_name: 'ada', trigger_id: 'tr', response_url: 'https://hooks.slack.com/1' });
    expect(p.invocation).toEqual({ platform: 'slack', teamId: 'T1', teamName: 'acme', userId: 'U1', userName: 'ada', channelId: 'C1', text: 'test linear', prefix: '/integrations' });
    expect(p.target).toEqual({ channelId: 'C1', userId: 'U1', responseUrl: 'https://hooks.slack.com/1' });
    expect(p.triggerId).toBe('tr');
  });

  it('reads escaped command text: mentions stay, entities are undone', () => {
    const p = parseSlashCommand({ command: '/integrations', text: 'role <@U2|mia> admin &amp; &lt;more&gt;', team_id: 'T1', channel_id: 'C1', user_id: 'U1' });
    expect(p.invocation.text).toBe('role <@U2|mia> admin & <more>');
  });

  it('reads a click as its button’s command line, from the clicked message', () => {
    const p = parseBlockAction({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'U2', username: 'mia' },
      channel: { id: 'C1' },
      container: { type: 'message', message_ts: '1.2', channel_id: 'C1', is_ephemeral: true },
      response_url: 'https://hooks.slack.com/2',
      trigger_id: 'tr2',
      actions: [{ action_id: 'pb:0:resume 6f1c', value: 'resume 6f1c' }],
    });
    expect(p.kind).toBe('command');
    if (p.kind !== 'command') return;
    expect(p.invocation).toMatchObject({ teamId: 'T1', userId: 'U2', channelId: 'C1', text: 'resume 6f1c', messageRef: '1.2' });
    expect(p.target.source).toEqual({ ts: '1.2', ephemeral: true });
  });

  it('reads a modal submission’s values by field', () => {
    const p = parseViewSubmission({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: 'U1' },
      view: {
        callback_id: 'patchbay_form',
        private_metadata: JSON.stringify({ formId: 'connect:linear', channelId: 'C9' }),
        state: { values: { apiKey: { apiKey: { type: 'plain_text_input', value: 'lin_api_x' } }, displayName: { displayName: { type: 'plain_text_input', value: null } } } },
        blocks: [{ type: 'input', block_id: 'apiKey' }, { type: 'input', block_id: 'displayName' }],
      },
    });
    expect(p.form.formId).toBe('connect:linear');
    expect(p.invocation.channelId).toBe('C9');
    expect(p.values).toEqual({ apiKey: 'lin_api_x' });
    expect(p.blockIds).toEqual(['apiKey', 'displayName']);
  });
});

describe('text from outside is text', () => {
  const evil = 'Re-authorize [here](https://evil.example) <!channel> <@U_VICTIM> **now** & `x`';

  it('shows a plain() span literally in mrkdwn: no link, no mention, escaped, verbatim', () => {
    const el = mrkdwnText(`❌ **HubSpot** failed: ${plain(evil)}`);
    expect(el.verbatim).toBe(true);
    expect(el.text).toBe('❌ *HubSpot* failed: Re-authorize [here](https://evil.example) &lt;!channel&gt; &lt;@U_VICTIM&gt; **now** &amp; `x`');
    expect(el.text).not.toMatch(/<https?:|<!|<@/);
    // Trusted markup beside it still renders; an element without outside text is not verbatim.
    expect(mrkdwnText('[Docs](https://patchbay.example/docs)')).toEqual({ type: 'mrkdwn', text: '<https://patchbay.example/docs|Docs>' });
  });

  it('cannot be closed from inside: marks in the outside text are dropped', () => {
    const sneaky = plain('a\uE001[x](https://evil.example)\uE000b');
    expect(toMrkdwn(sneaky)).toBe('a[x](https://evil.example)b');
  });

  it('renders our bold around a plain() span; a ** inside the span neither ends it nor is dropped', () => {
    expect(toMrkdwn(`paused ${bold(plain('Ops <b>'))} and ${bold('Two')}`)).toBe('paused *Ops &lt;b&gt;* and *Two*');
    // Slack cannot escape a * inside a bold: the bold is left off, the text stays as typed.
    expect(toMrkdwn(`paused ${bold(plain('Ops **x** <b>'))} and ${bold('Two')}`)).toBe('paused Ops **x** &lt;b&gt; and *Two*');
    expect(toPlain(`Reconnect ${bold(plain('**Ops**'))}`)).toBe('Reconnect **Ops**');
  });

  it('pairs bolds left to right: an earlier bold’s closing ** never opens one around a later plain() span', () => {
    const text = `⚠️ 1 conflict in ${bold('Sandbox tasks')}:\n• Task ${plain('Venue')}, field ${bold('title')}: ${plain('a')} → ${bold(plain('b'))}`;
    expect(toMrkdwn(text)).toBe('⚠️ 1 conflict in *Sandbox tasks*:\n• Task Venue, field *title*: a → *b*');
    expect(toPlain(text)).toBe('⚠️ 1 conflict in Sandbox tasks:\n• Task Venue, field title: a → b');
  });

  it('keeps plain() spans literal in plain_text fields too', () => {
    expect(toPlain(`**Bold** ${plain('**not bold** [x](https://evil.example)')}`)).toBe('Bold **not bold** [x](https://evil.example)');
  });

  it('renders an alert message from outside as inert text in the message', () => {
    const msg = renderMessage(inChannel(`❌ failed: ${plain(evil)}`));
    const all = JSON.stringify(msg);
    expect(all).not.toContain('<https://evil.example');
    expect(all).not.toContain('<!channel>');
    expect(msg.text).toContain('&lt;!channel&gt;');
  });
});

describe('clipping at 3,000 characters', () => {
  it('never cuts an escape, a link or a mention, wherever the limit falls', () => {
    const tail = 'a & b < c > d [the docs](https://patchbay.example/docs?x=1) <@U123> `co&de` **bold** ' + plain('x & <!here> y');
    for (let pad = 2_880; pad <= 3_000; pad++) {
      const out = toMrkdwn('z'.repeat(pad) + tail, 3_000);
      expect(out.length, String(pad)).toBeLessThanOrEqual(3_000);
      // Every & starts a whole entity; every < opens a whole link or mention that closes.
      expect(out.replace(/&(amp|lt|gt);/g, ''), String(pad)).not.toContain('&');
      expect(out.replace(/<https:\/\/patchbay\.example\/docs\?x=1\|the docs>|<@U123>/g, ''), String(pad)).not.toMatch(/[<>]/);
      expect(out.match(/`/g)?.length ?? 0, String(pad)).toSatisfy((n: number) => n % 2 === 0);
    }
  });

  it('clips the rendered section text to 3,000 characters with an ellipsis', () => {
    const msg = renderMessage(inChannel('&'.repeat(2_000)));
    const section = msg.blocks[0] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(3_000);
    expect(section.text.text.endsWith('&amp;…')).toBe(true);
    expect(clip('x'.repeat(10), 5)).toBe('xxxx…');
  });
});

describe('a modal submitted long after it opened', () => {
  const submission = (openedAt: number) => ({
    type: 'view_submission',
    team: { id: 'T1' },
    user: { id: 'U1' },
    view: {
      callback_id: 'patchbay_form',
      private_metadata: JSON.stringify({ formId: 'connect:linear', channelId: 'C9', responseUrl: 'https://hooks.slack.com/commands/T1/1/x', openedAt }),
      state: { values: {} },
      blocks: [],
    },
  });

  it('replies through its response URL within 30 minutes, and not after (the URL has expired)', () => {
    const opened = 1_800_000_000;
    expect(parseViewSubmission(submission(opened), undefined, opened + 10 * 60).target.responseUrl).toBe('https://hooks.slack.com/commands/T1/1/x');
    expect(parseViewSubmission(submission(opened), undefined, opened + 31 * 60).target.responseUrl).toBeUndefined();
  });

  it('records when the form opened in the modal it renders', () => {
    const view = renderModal({ type: 'form', id: 'connect:linear', title: 'Connect', fields: [], submitLabel: 'Connect' }, { formId: 'connect:linear', channelId: 'C9', openedAt: 1_800_000_000 });
    expect(JSON.parse(view.private_metadata!).openedAt).toBe(1_800_000_000);
  });
});

