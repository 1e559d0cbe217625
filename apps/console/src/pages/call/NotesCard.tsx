/** Private notes on a call, saved with the call record (autosaves as you pause typing). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/api.ts';
import { errorMessage } from '../../api/http.ts';
import { Button } from '../../ui/Button.tsx';

export function NotesCard({
  callId,
  initial,
  ended,
}: {
  callId: string;
  initial: string;
  ended: boolean;
}) {
  const [notes, setNotes] = useState(initial);
  const [saved, setSaved] = useState(initial);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | 'error'>('idle');
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(notes);
  latest.current = notes;
  const save = async () => {
    const text = latest.current;
    setStatus('saving');
    try {
      await api.saveNotes(callId, text);
      setSaved(text);
      setStatus('saved');
      setError(null);
    } catch (err) {
      setStatus('error');
      setError(errorMessage(err));
    }
  };
  useEffect(() => {
    if (notes === saved) return;
    const t = setTimeout(() => void save(), 1200);
    return () => clearTimeout(t);
  }, [notes]);
  const tooLong = notes.length > 10000;
  return (
    <section class="card">
      <div class="card-head">
        <h3>Private notes</h3>
        <p>Only your team sees these; they are saved with the call.</p>
        <span class="spacer" />
        <span class="small muted" aria-live="polite" data-testid="notes-status">
          {status === 'saving'
            ? 'Saving…'
            : status === 'saved' && notes === saved
              ? 'Saved'
              : notes !== saved
                ? 'Unsaved changes'
                : ''}
        </span>
      </div>
      <div class="card-body stack-s">
        <label class="sr-only" for="call-notes">
          Private notes
        </label>
        <textarea
          id="call-notes"
          class="textarea"
          rows={ended ? 6 : 4}
          placeholder="Sizes discussed, follow-ups, anything to remember…"
          value={notes}
          aria-invalid={tooLong || error ? 'true' : undefined}
          onInput={(e) => setNotes(e.currentTarget.value)}
        />
        {tooLong ? (
          <div class="field-error">At most 10,000 characters ({notes.length}).</div>
        ) : null}
        {error ? (
          <div class="field-error" role="alert">
            {error}
          </div>
        ) : null}
        <div class="form-actions">
          <Button
            size="s"
            variant={ended ? 'primary' : 'default'}
            busy={status === 'saving'}
            disabled={tooLong || notes === saved}
            onClick={() => void save()}
          >
            Save notes
          </Button>
        </div>
      </div>
    </section>
  );
}
