export { createHttpServer, type HttpServerOptions } from './http-server.ts';
export {
  assertFitInput,
  assertJsonDepth,
  findUnfitValue,
  INT4_MAX,
  jsonNestedDeeperThan,
  withIntegerBounds,
} from './input-guards.ts';
export {
  answerError,
  type ErrorFormatter,
  type ProblemDocument,
  problem,
  problemType,
  sendProblem,
  toProblem,
} from './problem-details.ts';
export { pageOf, registerOpenApi, registerOpenApiRoutes } from './openapi.ts';
export {
  CONTENT_SECURITY_POLICY,
  registerSecurityHeaders,
  STRICT_TRANSPORT_SECURITY,
} from './security-headers.ts';
