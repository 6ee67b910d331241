// The baseline: Fastify answering the exact bytes wgfleet answers, with no auth, limiter or database.
import Fastify from 'fastify';

const body = process.env.BENCH_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
app.get('/api/wg/servers', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
