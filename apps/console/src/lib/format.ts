/** Display formatting shared by the console's screens. */
import type { Call, EndReason } from '@flux/protocol';

/** 65 → "1:05"; 3723 → "1:02:03". */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds === null || totalSeconds === undefined || !Number.isFinite(totalSeconds))
    return '—';
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** Minor units → "€19.90" in the user's locale (one formatter per locale and currency). */
export { formatMoney } from '@flux/client';

/** Minor units → "19.90" for an input field. */
export function priceInput(minor: number): string {
  return (minor / 100).toFixed(2);
}

export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "just now", "5 min ago", "3 h ago", else the date. */
export function formatRelative(iso: string, now = Date.now(), locale?: string): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = Math.round((now - t) / 1000);
  if (diff < 45) return 'just now';
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  if (diff < 86_400) return `${Math.round(diff / 3600)} h ago`;
  return formatDateTime(iso, locale);
}

export type Outcome = 'answered' | 'missed' | 'declined' | 'cancelled' | 'failed' | 'lost' | 'open';

/** The outcome of a call as the agent thinks of it. */
export function callOutcome(call: Pick<Call, 'status' | 'endReason' | 'connectedAt'>): Outcome {
  if (call.status !== 'ended') return 'open';
  if (call.connectedAt) return call.endReason === 'failed' ? 'failed' : 'answered';
  const r: EndReason | null = call.endReason;
  switch (r) {
    case 'declined':
      return 'declined';
    case 'missed':
      return 'missed';
    case 'cancelled':
      return 'cancelled';
    case 'lost':
      return 'lost';
    case 'failed':
    case null:
    case 'visitor_hangup':
    case 'agent_hangup':
      return 'failed';
  }
}

export const OUTCOME_LABELS: Record<Outcome, string> = {
  answered: 'Answered',
  missed: 'Missed',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
  lost: 'Lost',
  open: 'In progress',
};

/**
 * Who reads why a call ended: the agent who had it ("You declined"), or the shop's admin in the
 * call log, where "you" would be wrong ("The agent declined").
 */
export type Reader = 'agent' | 'admin';

const END_REASON_LABELS: Record<EndReason, [agent: string, admin: string]> = {
  declined: ['You declined', 'The agent declined'],
  missed: ['Not answered in time', 'Not answered in time'],
  cancelled: ['Visitor hung up while ringing', 'Visitor hung up while ringing'],
  visitor_hangup: ['Visitor hung up', 'Visitor hung up'],
  agent_hangup: ['You hung up', 'The agent hung up'],
  failed: ['Connection failed', 'Connection failed'],
  lost: ['Connection lost', 'Connection lost'],
};

/** The reasons a call can end, as the call log's filter lists them. */
export const END_REASONS = Object.keys(END_REASON_LABELS) as EndReason[];

/** An end reason alone, in words for `reader`. */
export function endReasonLabel(reason: EndReason, reader: Reader): string {
  return END_REASON_LABELS[reason][reader === 'agent' ? 0 : 1];
}

/**
 * Why a call ended, in words for `reader`: the reason, made precise by the server's detail where
 * it tells more (docs/protocol.md, *Call states*). Null while the call is not over.
 */
export function endText(
  call: Pick<Call, 'endReason' | 'endDetail'>,
  reader: Reader,
): string | null {
  const { endReason: reason, endDetail: detail } = call;
  if (!reason) return null;
  const agent = reader === 'agent';
  const side = detail?.startsWith('visitor:')
    ? "the visitor's side"
    : detail?.startsWith('agent:')
      ? agent
        ? 'your side'
        : "the agent's side"
      : null;
  switch (`${reason}/${detail ?? ''}`) {
    case 'missed/agent_unreachable':
      return agent
        ? 'Your console could not be reached while it rang (a laptop shut or a network gone)'
        : "The agent's console could not be reached while it rang (a laptop shut or a network gone)";
    case 'cancelled/visitor_gone':
      return 'Visitor left while it rang';
    case 'lost/visitor_gone':
      return "Visitor's connection was lost";
    case 'lost/agent_gone':
      return agent ? 'Your connection was lost' : "The agent's connection was lost";
    case 'lost/server_restarted':
      return 'Ended by a server restart';
    case 'lost/server_gone':
      return 'Lost when a server stopped';
  }
  if (reason === 'failed' && side) return `Connection failed on ${side}`;
  return endReasonLabel(reason, reader);
}

/** Why the server changed my status, in words for the agent. */
export function agentStateReason(reason: string | undefined, misses?: number): string {
  switch (reason) {
    case 'missed_calls':
      return `You were set offline after ${
        misses === 1 ? 'a missed call' : `${misses ?? 'several'} missed calls in a row`
      }. Go online again when you are back.`;
    case 'declined_and_offline':
      return 'You declined a call and went offline.';
    case 'admin':
      return 'An admin changed your status.';
    case undefined:
    case '':
      return 'Your status changed.';
    default:
      return `Your status changed (${reason.replace(/_/g, ' ')}).`;
  }
}

/** Visitor display name: name, else email, else "Visitor". */
export function visitorName(v: { name?: string | undefined; email?: string | undefined }): string {
  return v.name?.trim() || v.email?.trim() || 'Anonymous visitor';
}

/** Initials for an avatar placeholder. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const a = parts[0]?.[0] ?? '?';
  const b = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (a + b).toUpperCase();
}

/** A URL shortened for display: host + path, no protocol. */
export function shortUrl(url: string | null | undefined, max = 60): string {
  if (!url) return '—';
  let s = url;
  try {
    const u = new URL(url);
    s = u.host + u.pathname + u.search;
  } catch {
    /* keep as is */
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
