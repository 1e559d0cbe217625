/**
 * The SDK's event hub. A listener that throws (or rejects) never stops the others nor
 * reaches the emitter's caller; the error is logged instead.
 */
import { diag } from './diag.ts';
import { Level, Msg } from './keys.ts';
import type { FluxEventMap, FluxEventName, FluxListener } from './types.ts';

export interface EventHub {
  on: <K extends FluxEventName>(event: K, fn: FluxListener<K>) => void;
  off: <K extends FluxEventName>(event: K, fn: FluxListener<K>) => void;
  emit: <K extends FluxEventName>(event: K, detail: FluxEventMap[K]) => void;
}

/** Runs page code; a throw or rejection is logged, never propagated. `what`: an event name or `onEvent`. */
export function safeCall(what: string, fn: () => unknown): void {
  const fail = (e: unknown): void => {
    diag(Level.error, Msg.Listener, what, e);
  };
  // The executor runs fn now; a throw rejects the promise, a returned promise is adopted.
  new Promise((resolve) => {
    resolve(fn());
  }).catch(fail);
}

export function createHub(): EventHub {
  const map = new Map<string, Set<(d: never) => void>>();
  return {
    on(event, fn) {
      map.set(event, (map.get(event) ?? new Set()).add(fn));
    },
    off(event, fn) {
      map.get(event)?.delete(fn);
    },
    emit(event, detail) {
      map.get(event)?.forEach((fn) => {
        safeCall(event, () => (fn as (d: typeof detail) => void)(detail));
      });
    },
  };
}
