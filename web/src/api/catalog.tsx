/**
 * Which endpoints the running server offers, read once from `/api/openapi.json`.
 */
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { request } from './client.ts';
import type { Endpoint } from './endpoints.ts';

interface Catalog {
  loaded: boolean;
  has(endpoint: Endpoint): boolean;
}

const CatalogContext = createContext<Catalog>({ loaded: false, has: () => false });

type OpenApiDoc = { paths?: Record<string, Record<string, unknown>> };

export function ApiCatalogProvider({ children }: { children: ReactNode }) {
  const [paths, setPaths] = useState<OpenApiDoc['paths'] | null>(null);
  useEffect(() => {
    request<OpenApiDoc>('GET', '/api/openapi.json').then(
      (doc) => setPaths(doc.paths ?? {}),
      () => setPaths({}),
    );
  }, []);
  const catalog: Catalog = {
    loaded: paths !== null,
    has: (endpoint) => Boolean(paths?.[endpoint.path]?.[endpoint.method.toLowerCase()]),
  };
  return <CatalogContext.Provider value={catalog}>{children}</CatalogContext.Provider>;
}

/** The server's endpoint catalogue. */
export function useApiCatalog(): Catalog {
  return useContext(CatalogContext);
}
