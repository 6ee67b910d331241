import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

const DESCRIPTION = `
The wgfleet portal API: WireGuard servers, users (peers) and port forwards for your account.

**Authentication.** Every route under \`/api\` needs \`Authorization: Bearer wg_…\`. A key is \`wg_\` plus
46 characters (40 random, 6 checksum); a missing, malformed, unknown, revoked or expired key is 401.
An account has at most 5 active keys.

**Rate limit.** 60 requests per fixed 60-second window per API key, all routes together. Every
authenticated response carries \`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\`, \`X-RateLimit-Reset\`
(seconds to the window's end), \`RateLimit-Policy\` and \`RateLimit\`; a 429 adds \`Retry-After\`.
Failed authentications are limited per client address as well.

**Errors** are \`application/problem+json\` with a stable \`code\`, a sentence in \`error\` saying what to
change, and \`errors[]\` per field for 422. Another account's resource is 403; a missing one 404.

**Lists** return \`{"<things>": [...], "next_cursor": "…"|null}\`; pass \`?limit=\` (1–500, default 100)
and \`?cursor=\` from the previous page.

**Provisioning.** Writes answer at once; nodes converge in the background and
\`provisioning.state\` moves from \`pending\` to \`active\` (or \`error\` with the reason).
`;

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('wgfleet')
    .setDescription(DESCRIPTION.trim())
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key: wg_ followed by 46 characters' })
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, config);
}

// The interactive page is swagger-ui-dist's own bundle, served from memory: Nest's built-in UI
// needs @fastify/static, whose dependencies are ESM-only and cannot load under Jest on Node 20.
const UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>wgfleet API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

/** GET /docs (interactive page), /docs/openapi.json and /docs/openapi.yaml, generated from the controllers. */
export function serveOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    ui: false,
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  const fastify = app.getHttpAdapter().getInstance();
  const assets = new Map<string, Buffer>();
  fastify.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  fastify.get('/docs/assets/init.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INIT));
  fastify.get<{ Params: { file: string } }>('/docs/assets/:file', (request, reply) => {
    const type = UI_ASSETS[request.params.file];
    if (!type) return reply.callNotFound();
    let body = assets.get(request.params.file);
    if (!body) {
      body = readFileSync(join(getAbsoluteFSPath(), request.params.file));
      assets.set(request.params.file, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
