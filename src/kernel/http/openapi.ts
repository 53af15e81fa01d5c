import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * Registers OpenAPI 3.1 generation from the route schemas. Call before any route is
 * added; `registerOpenApiRoutes` afterwards serves the document and its reference page.
 */
export async function registerOpenApi(app: FastifyInstance, info: { version: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OneCity API',
        version: info.version,
        description:
          'The native REST API of OneCity, the "1 + N" urban smart governance platform. Errors are RFC 9457 problem+json documents with a stable `code` (see docs/errors.md).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Session token from POST /api/v1/auth/login',
          },
          apiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'x-api-key',
            description: 'Service account or device key',
          },
        },
      },
    },
    hideUntagged: false,
  });
}

/**
 * `/api/openapi.json` and an offline reference page at `/api/docs`. The page's script and
 * stylesheet are files of their own, as the Content-Security-Policy allows no inline code.
 */
export function registerOpenApiRoutes(app: FastifyInstance) {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/docs', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(DOCS_PAGE),
  );
  app.get('/api/docs/reference.css', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').send(DOCS_STYLE),
  );
  app.get('/api/docs/reference.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(DOCS_SCRIPT),
  );
}

// A small self-contained renderer: no CDN, no bundle, works with the network off.
const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>OneCity API reference</title>
<link rel="stylesheet" href="/api/docs/reference.css">
<script src="/api/docs/reference.js" defer></script>
</head><body><header><h1>OneCity API reference</h1><div id="ver"></div></header><main id="root">Loading…</main>
</body></html>`;

const DOCS_STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
header{background:#0b3d5c;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
h2{border-bottom:2px solid #0b3d5c;padding-bottom:4px;margin-top:32px}
details{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:8px 0}
summary{cursor:pointer;padding:8px 12px;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase}
.get{color:#0a7d32}.post{color:#0b5cad}.put,.patch{color:#a15c00}.delete{color:#b3261e}
pre{background:#f0f3f6;padding:8px;overflow:auto;margin:0 12px 12px}
table{border-collapse:collapse;margin:0 12px 12px}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
.sum{color:#57606a;font-family:system-ui}
.inset{margin:0 12px}
`;

const DOCS_SCRIPT = `const esc=(s)=>String(s??'').replace(/[&<>"]/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('ver').textContent='OpenAPI '+doc.openapi+' · version '+doc.info.version;
  const byTag={};
  for(const [p,ops] of Object.entries(doc.paths||{}))for(const [m,op] of Object.entries(ops)){
    const t=(op.tags&&op.tags[0])||'other';(byTag[t]=byTag[t]||[]).push([p,m,op]);}
  let html='<p>'+esc(doc.info.description)+'</p>';
  for(const t of Object.keys(byTag).sort()){html+='<h2>'+esc(t)+'</h2>';
    for(const [p,m,op] of byTag[t]){
      html+='<details><summary><span class="m '+m+'">'+m+'</span> '+esc(p)+' <span class="sum">'+esc(op.summary||'')+'</span></summary>';
      if(op.description)html+='<p class="inset">'+esc(op.description)+'</p>';
      if(op.parameters&&op.parameters.length){html+='<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>';
        for(const q of op.parameters)html+='<tr><td>'+esc(q.name)+'</td><td>'+esc(q.in)+'</td><td>'+(q.required?'yes':'')+'</td><td><code>'+esc(JSON.stringify(q.schema))+'</code></td></tr>';
        html+='</table>';}
      if(op.requestBody)html+='<b class="inset">Request body</b><pre>'+esc(JSON.stringify(op.requestBody,null,2))+'</pre>';
      if(op.responses)html+='<b class="inset">Responses</b><pre>'+esc(JSON.stringify(op.responses,null,2))+'</pre>';
      html+='</details>';}}
  document.getElementById('root').innerHTML=html;
}).catch(e=>{document.getElementById('root').textContent='Could not load /api/openapi.json: '+e});
`;

/**
 * The response schema of a list route: a page of `items` and how many match in all (`total`);
 * with `window`, also the `limit` and `offset` the page was cut with.
 */
export const pageOf = <S extends object>(items: S, options: { window?: boolean } = {}) =>
  ({
    type: 'object',
    properties: {
      items: { type: 'array', items },
      total: { type: 'integer' },
      ...(options.window ? { limit: { type: 'integer' }, offset: { type: 'integer' } } : {}),
    },
  }) as const;
