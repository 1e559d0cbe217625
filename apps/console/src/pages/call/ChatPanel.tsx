import { useEffect, useRef, useState } from 'preact/hooks';
import { callChat, sendChat } from '../../calls/agentCalls.ts';
import { errorMessage } from '../../api/http.ts';
import { toast } from '../../state/toast.ts';
import { Button } from '../../ui/Button.tsx';
import { fire } from '../../ui/fire.ts';

export function CallChatPanel({ ended }: { ended: boolean }) {
  const msgs = callChat.value;
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const log = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [msgs.length]);
  return (
    <div class="chat">
      <div
        class="chat-log"
        ref={log}
        aria-live="polite"
        aria-label="Chat messages"
        data-testid="chat-log"
      >
        {msgs.length === 0 ? (
          <p class="muted small">No messages yet. Share a link or a size here.</p>
        ) : null}
        {msgs.map((m, i) => (
          <div key={i} class={`bubble ${m.from === 'agent' ? 'mine' : ''}`}>
            <span class="sr-only">{m.from === 'agent' ? 'You' : 'Visitor'}: </span>
            {m.text}
            <time dateTime={m.at}>
              {new Date(m.at).toLocaleTimeString(undefined, { timeStyle: 'short' })}
            </time>
          </div>
        ))}
      </div>
      <form
        class="chat-form"
        onSubmit={fire(async (e) => {
          e.preventDefault();
          const t = text.trim();
          if (!t || ended) return;
          setSending(true);
          try {
            await sendChat(t);
            setText('');
          } catch (err) {
            toast(errorMessage(err), 'error');
          } finally {
            setSending(false);
          }
        })}
      >
        <label class="sr-only" for="chat-input">
          Message
        </label>
        <input
          id="chat-input"
          class="input"
          placeholder={ended ? 'The call has ended' : 'Write a message…'}
          maxLength={2000}
          disabled={ended}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <Button type="submit" variant="primary" busy={sending} disabled={ended || !text.trim()}>
          Send
        </Button>
      </form>
    </div>
  );
}
