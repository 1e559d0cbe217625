/** The online/offline switch (header and settings page). Going online asks for notifications. */
import { useState } from 'preact/hooks';
import { errorMessage } from '../api/http.ts';
import { askNotificationPermission } from '../ring/attention.ts';
import { unlockAudio } from '../ring/Ringtone.ts';
import { me, setStatus } from '../state/session.ts';
import { statusNotice } from '../calls/agentCalls.ts';
import { toast } from '../state/toast.ts';
import { fire } from './fire.ts';

export function StatusSwitch({ large = false }: { large?: boolean }) {
  const [busy, setBusy] = useState(false);
  const user = me.value;
  if (!user) return null;
  const online = user.status === 'online';
  return (
    <button
      type="button"
      role="switch"
      aria-checked={online ? 'true' : 'false'}
      aria-label={
        online ? 'You are online. Switch to go offline.' : 'You are offline. Switch to go online.'
      }
      class={`status-switch ${large ? 'status-switch-l' : ''}`}
      data-testid={large ? 'status-switch-large' : 'status-switch'}
      disabled={busy}
      onClick={fire(async () => {
        setBusy(true);
        const next = online ? 'offline' : 'online';
        if (next === 'online') {
          void unlockAudio();
          void askNotificationPermission();
        }
        try {
          await setStatus(next);
          statusNotice.value = null;
          toast(next === 'online' ? 'You are online: calls can reach you.' : 'You are offline.');
        } catch (err) {
          toast(errorMessage(err), 'error');
        } finally {
          setBusy(false);
        }
      })}
    >
      <span class="track" aria-hidden="true" />
      <span>{online ? 'Online' : 'Offline'}</span>
    </button>
  );
}
