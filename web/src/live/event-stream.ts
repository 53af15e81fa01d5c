/**
 * Live case events over the server's event stream (`/api/v1/stream`, server-sent events).
 * EventSource cannot send an Authorization header, so the app first asks for a short-lived
 * stream ticket (`POST /api/v1/stream/tokens`) and passes it as `?token=`; when the
 * connection drops for good (an expired ticket on reconnect), it fetches a new ticket and
 * resumes after the last event it had (`?lastEventId=`, since a new EventSource cannot send
 * the Last-Event-ID header). When the server could not replay everything missed, it sends a
 * `stream.gap` event, handed on as a LiveEvent without a case: reload what is shown.
 */
import { useEffect, useRef, useState } from 'react';
import { useApiCatalog } from '../api/catalog.tsx';
import { api, apiUrl } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import type { CaseState, SlaLight } from '../api/types.ts';

/** One event as the stream sends it. */
export interface LiveEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
  case?: {
    id: string;
    number: string;
    state: CaseState;
    category: string;
    light: SlaLight | null;
    district: string | null;
  };
}

export type StreamStatus = 'unavailable' | 'connecting' | 'open' | 'error';

/** Calls `onEvent` for each case event; answers the connection status. */
export function useEventStream(onEvent: (event: LiveEvent) => void): StreamStatus {
  const catalog = useApiCatalog();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const available = catalog.has(ENDPOINTS.stream) && catalog.has(ENDPOINTS.streamTicket);
  useEffect(() => {
    if (!catalog.loaded) return;
    if (!available) {
      setStatus('unavailable');
      return;
    }
    let source: EventSource | null = null;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let lastEventId: string | null = null;
    const receive = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastEventId = message.lastEventId;
      try {
        const data = JSON.parse(message.data);
        handler.current(
          message.type === STREAM_GAP
            ? { id: message.lastEventId, type: STREAM_GAP, occurredAt: new Date().toISOString(), data }
            : (data as LiveEvent),
        );
      } catch {
        // Not a case event (comments and heartbeats never reach here).
      }
    };
    const connect = async () => {
      try {
        const ticket = await api.post<{ token: string }>(ENDPOINTS.streamTicket.path);
        if (stopped) return;
        const query: Record<string, string> = { token: ticket.token };
        if (lastEventId) query.lastEventId = lastEventId;
        source = new EventSource(apiUrl(ENDPOINTS.stream.path, query));
        source.onopen = () => setStatus('open');
        source.onmessage = receive;
        source.onerror = () => {
          if (source?.readyState !== EventSource.CLOSED) return setStatus('connecting');
          setStatus('error');
          source = null;
          retry = setTimeout(connect, 3000);
        };
        for (const type of [...CASE_EVENT_TYPES, STREAM_GAP]) source.addEventListener(type, receive);
      } catch {
        setStatus('error');
        if (!stopped) retry = setTimeout(connect, 5000);
      }
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [catalog.loaded, available]);
  return status;
}

/** The event the server sends when it could not replay every event missed while away. */
export const STREAM_GAP = 'stream.gap';

/** The SSE event names of case events (the transition table's events plus intake and SLA). */
const CASE_EVENT_TYPES = [
  'case.reported',
  'case.filed',
  'case.rejected',
  'case.dispatched',
  'case.accepted',
  'case.returned',
  'case.extension_requested',
  'case.extension_decided',
  'case.deferred',
  'case.parked',
  'case.resumed',
  'case.handled',
  'case.verified',
  'case.closed',
  'case.evaluated',
  'case.supervised',
  'case.escalated',
  'case.merged',
  'case.whistled',
  'case.reported_in',
  'case.linkage_rated',
  'case.report_in_missed',
  'case.sla_yellow',
  'case.sla_red',
];
