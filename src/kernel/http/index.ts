export { createHttpServer, type HttpServerOptions } from './http-server.ts';
export {
  type ErrorFormatter,
  type ProblemDocument,
  problem,
  problemType,
  sendProblem,
  toProblem,
} from './problem-details.ts';
export { registerOpenApi, registerOpenApiRoutes } from './openapi.ts';
