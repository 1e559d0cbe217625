/** Admin: the embed snippet, ready to paste, with this channel's ID, a key and the server URL. */
import { useState } from 'preact/hooks';
import type { CreatedApiKey } from '@flux/protocol';
import { buildEmbedSnippet } from '../../lib/embed.ts';
import { channel } from '../../state/session.ts';
import { Button } from '../../ui/Button.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { TextField } from '../../ui/Field.tsx';
import { PageHead } from '../../ui/misc.tsx';
import { CreateKey, ShowKeyOnce, useApiKeys } from './Keys.tsx';

export function Embed() {
  const { keys, setKeys } = useApiKeys();
  const [key, setKey] = useState('');
  const [tag, setTag] = useState('fashion-support');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const slug = channel.value?.slug ?? '';
  const active = (keys ?? []).filter((k) => !k.revokedAt);
  const trimmed = key.trim();
  const match = active.find((k) => trimmed.startsWith(k.prefix));
  const revoked = (keys ?? []).find((k) => k.revokedAt && trimmed.startsWith(k.prefix));
  const keyError = !trimmed
    ? null
    : revoked && !match
      ? 'This key has been revoked; widgets using it will not work.'
      : keys && !match
        ? 'This does not match any active key of this channel.'
        : null;
  const snippet = buildEmbedSnippet({
    serverOrigin: location.origin,
    channelId: slug,
    apiKey: trimmed || 'YOUR_API_KEY',
    tag: tag.trim() || 'fashion-support',
  });
  return (
    <div>
      <PageHead
        title="Embed the calls widget"
        sub="Paste this into the shop’s pages where the call button should appear."
      />
      <div class="grid-2" style={{ gridTemplateColumns: 'minmax(0, 340px) minmax(0, 1fr)' }}>
        <section class="card">
          <div class="card-head">
            <h3>Fill in</h3>
          </div>
          <div class="card-body stack">
            <div class="field">
              <span class="field-label">Channel ID</span>
              <code class="input" style={{ display: 'flex', alignItems: 'center' }}>
                {slug}
              </code>
            </div>
            <TextField
              label="API key"
              value={key}
              onValue={setKey}
              error={keyError}
              placeholder="Paste a publishable key"
              hint={
                match
                  ? `Key “${match.label}”.`
                  : 'Full keys are shown only once, when created. Paste one you saved, or create one for this snippet.'
              }
            />
            <Button icon="plus" onClick={() => setCreating(true)}>
              Create a key for this snippet
            </Button>
            <TextField
              label="Route calls to agents tagged"
              value={tag}
              onValue={setTag}
              hint="The example picks the first available agent with this tag, else anyone available."
            />
          </div>
        </section>
        <section class="card">
          <div class="card-head">
            <h3>Snippet</h3>
            <span class="spacer" />
            <CopyButton text={snippet} label="Copy snippet" />
          </div>
          <div class="card-body stack-s">
            {!trimmed ? (
              <div class="banner banner-warn small">
                Add an API key: the snippet has a placeholder.
              </div>
            ) : null}
            {/* focusable, so that a keyboard can scroll a snippet wider than the card */}
            <pre
              class="snippet"
              data-testid="embed-snippet"
              tabIndex={0}
              aria-label="Embed snippet"
            >
              <code>{snippet}</code>
            </pre>
            <p class="small muted">
              The page’s origin must be on the allowed origins list (Keys &amp; origins). The server
              URL is this console’s origin, <code>{location.origin}</code>.
            </p>
          </div>
        </section>
      </div>
      {creating ? (
        <CreateKey
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            setKey(c.key);
            setKeys([c.apiKey, ...(keys ?? [])]);
          }}
        />
      ) : null}
      {created ? <ShowKeyOnce created={created} onClose={() => setCreated(null)} /> : null}
    </div>
  );
}
