/**
 * Live events over the server's event stream (`/api/v1/stream`, server-sent events).
 * EventSource cannot send an Authorization header, so the session token travels as the
 * `access_token` query parameter; EventSource reconnects by itself with Last-Event-ID.
 */
import { useEffect, useRef, useState } from 'react';
import { useApiCatalog } from '../api/catalog.tsx';
import { apiUrl, getToken } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';

export interface LiveEvent {
  id: string;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export type StreamStatus = 'unavailable' | 'connecting' | 'open' | 'error';

/** Calls `onEvent` for each event; answers the connection status. */
export function useEventStream(onEvent: (event: LiveEvent) => void): StreamStatus {
  const catalog = useApiCatalog();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const available = catalog.has(ENDPOINTS.stream);
  useEffect(() => {
    if (!catalog.loaded) return;
    if (!available) {
      setStatus('unavailable');
      return;
    }
    const source = new EventSource(apiUrl(ENDPOINTS.stream.path, { access_token: getToken() }));
    const receive = (message: MessageEvent<string>) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(message.data) as Record<string, unknown>;
      } catch {
        return;
      }
      const type = message.type === 'message' ? String(data.type ?? 'message') : message.type;
      handler.current({
        id: message.lastEventId,
        type,
        at: String(data.at ?? data.time ?? new Date().toISOString()),
        data: (data.data as Record<string, unknown>) ?? data,
      });
    };
    source.onopen = () => setStatus('open');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'error' : 'connecting');
    source.onmessage = receive;
    for (const type of CASE_EVENT_TYPES) source.addEventListener(type, receive);
    return () => source.close();
  }, [catalog.loaded, available]);
  return status;
}

/** Named SSE event types the server may use for case events (plain `message` is handled too). */
const CASE_EVENT_TYPES = [
  'case.reported',
  'case.filed',
  'case.rejected',
  'case.dispatched',
  'case.accepted',
  'case.returned',
  'case.handled',
  'case.verified',
  'case.closed',
  'case.evaluated',
  'case.merged',
  'case.escalated',
  'case.supervised',
  'case.whistled',
  'case.sla_changed',
];
