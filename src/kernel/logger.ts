import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: credentials and citizens' personal data.
 * Services must not log personal data at all; this is the safety net.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.phone',
  '*.email',
  '*.name',
  '*.first_name',
  '*.last_name',
  '*.address',
  '*.reporter',
  'password',
  'token',
];

/** Query parameters whose values never reach a log line (EventSource tokens, API keys). */
const SECRET_QUERY_PARAMS = /([?&](?:token|access_token|api_key|apikey|key|password|secret)=)[^&#]*/gi;

/** A URL with the values of secret query parameters replaced. */
export function redactUrlQuery(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

/** Request serializer: what Fastify's default logs, with secret query values redacted. */
function serializeRequest(req: {
  method?: string;
  url?: string;
  hostname?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: req.url ? redactUrlQuery(req.url) : req.url,
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Creates the node's structured JSON logger (pretty in a terminal when asked). */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logPretty'>,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { req: serializeRequest },
  };
  if (destination) return pino(options, destination);
  if (config.logPretty)
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  return pino(options);
}
