/**
 * Everything that draws the agent's eye to a ringing call besides the sound: a flashing tab
 * title and a desktop notification (permission asked when the agent goes online).
 */
import { signal } from '@preact/signals';

export const notificationPermission = signal<NotificationPermission | 'unsupported'>(
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
);

/** Ask for permission (call from a user gesture, e.g. the "go online" click). */
export async function askNotificationPermission(): Promise<void> {
  if (typeof Notification === 'undefined') return;
  if (Notification.permission === 'default') {
    try {
      notificationPermission.value = await Notification.requestPermission();
    } catch {
      notificationPermission.value = Notification.permission;
    }
  } else {
    notificationPermission.value = Notification.permission;
  }
}

let current: Notification | null = null;

export function showCallNotification(title: string, body: string, onClick: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  closeCallNotification();
  try {
    const n = new Notification(title, {
      body,
      tag: 'flux-incoming-call',
      requireInteraction: true,
      silent: false,
    });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
    current = n;
  } catch {
    /* some platforms only allow notifications from a service worker */
  }
}

export function closeCallNotification(): void {
  current?.close();
  current = null;
}

let flashTimer: ReturnType<typeof setInterval> | null = null;
let baseTitle = '';

export function flashTitle(message: string): void {
  stopFlashingTitle();
  baseTitle = document.title;
  let on = true;
  document.title = message;
  flashTimer = setInterval(() => {
    on = !on;
    document.title = on ? message : baseTitle;
  }, 900);
}

export function stopFlashingTitle(): void {
  if (flashTimer) {
    clearInterval(flashTimer);
    flashTimer = null;
    document.title = baseTitle || document.title;
  }
}
