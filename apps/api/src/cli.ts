import 'reflect-metadata';
import pino from 'pino';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsService, ApiKeysService } from '@wgfleet/accounts';
import { AppConfig, createLogger, loadConfig, loadMasterKey, PinoNestLogger, type Logger, type Principal } from '@wgfleet/core';
import { NodesService, type CreateNodeDto } from '@wgfleet/servers';
import { WgdApiKeys } from '@wgfleet/wgdashboard';
import { provideDatabase, runMigrations } from '@wgfleet/database';
import { AppModule } from './app.module.js';
import { outboundIpv4 } from './local-address.js';

type Command = (databaseUrl: string, config: AppConfig, logger: Logger, args: string[]) => Promise<void>;

/** Results go to stdout, logs to stderr, so `$(npm run cli -- …)` captures only the result. */
const COMMANDS: Record<string, { summary: string; run: Command }> = {
  migrate: {
    summary: 'apply pending database migrations',
    run: async (url) => {
      const { applied } = await runMigrations(url);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'migrations: up to date\n');
    },
  },
  'bootstrap-admin': {
    summary: 'create the admin account if missing and print a new admin API key, alone on its line',
    run: (url, config, logger) =>
      withApp(url, config, logger, async (app) => {
        const admin = await app.get(AccountsService).ensureAdmin();
        const { key } = await app.get(ApiKeysService).create(admin.id, { name: `bootstrap ${new Date().toISOString()}` });
        process.stdout.write(`${key}\n`);
      }),
  },
  'wgdashboard-key': {
    summary: 'print a new WGDashboard API key bound to a node, alone on its line: [--node NAME] (default: the local node, created if missing)',
    run: (url, config, logger, args) =>
      withApp(url, config, logger, async (app) => {
        const name = nodeOption(args);
        const admin = await app.get(AccountsService).ensureAdmin();
        // An operator's command on the server: audited as the admin account, with no API key.
        const principal: Principal = { accountId: admin.id, kind: 'admin', parentId: null, apiKeyId: null, sourceIp: '' };
        const nodes = app.get(NodesService);
        let node = await nodes.findByName(name ?? LOCAL_NODE);
        if (!node && name !== undefined && name !== LOCAL_NODE) {
          throw new Error(`there is no node named "${name}"; add it with POST /api/admin/nodes, or omit --node for the local node`);
        }
        node ??= await nodes.create(principal, { name: LOCAL_NODE, transport: 'local', public_ipv4: await outboundIpv4() } as CreateNodeDto);
        const { key } = await app.get(WgdApiKeys).issue(principal, node.id);
        process.stdout.write(`${key}\n`);
      }),
  },
};

const LOCAL_NODE = 'local';

/** `--node NAME` or `--node=NAME`; anything else is a usage error. */
function nodeOption(args: string[]): string | undefined {
  if (args.length === 0) return undefined;
  const [first, second] = args;
  if (args.length === 2 && first === '--node' && second) return second;
  if (args.length === 1 && first!.startsWith('--node=') && first!.length > 7) return first!.slice(7);
  throw new Error(`unexpected arguments: ${args.join(' ')} (usage: wgdashboard-key [--node NAME])`);
}

/** The app's services without its HTTP server; a one-shot command never pushes to nodes (that is the server's job). */
async function withApp(url: string, config: AppConfig, logger: Logger, work: (app: INestApplicationContext) => Promise<void>): Promise<void> {
  await runMigrations(url);
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ config, databaseUrl: url, masterKey: loadMasterKey(config).key, reconciler: { enabled: false } }),
    { logger: new PinoNestLogger(logger) },
  );
  try {
    await work(app);
  } finally {
    await app.close();
  }
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(18)}${summary}`);
  return ['usage: npm run cli -- <command>', '', 'commands:', ...lines, `  ${'help'.padEnd(18)}show this text`, ''].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name] = argv;
  if (!name || name === 'help' || name === '--help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const config = loadConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination(2));
  // With embedded Postgres this reuses the API's running cluster, or starts one for the command.
  const database = await provideDatabase(config, logger);
  try {
    await command.run(database.url, config, logger, argv.slice(1));
    return 0;
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
