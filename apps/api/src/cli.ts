import 'reflect-metadata';
import pino from 'pino';
import { NestFactory } from '@nestjs/core';
import { AccountsService, ApiKeysService } from '@wgfleet/accounts';
import { AppConfig, createLogger, loadConfig, loadMasterKey, PinoNestLogger, type Logger } from '@wgfleet/core';
import { provideDatabase, runMigrations } from '@wgfleet/database';
import { AppModule } from './app.module.js';

type Command = (databaseUrl: string, config: AppConfig, logger: Logger) => Promise<void>;

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
    run: async (url, config, logger) => {
      await runMigrations(url);
      const app = await NestFactory.createApplicationContext(AppModule.forRoot({
          config,
          databaseUrl: url,
          masterKey: loadMasterKey(config).key,
          // A one-shot command: pushing to nodes (and recording their health) is the server's job.
          reconciler: { enabled: false },
        }), {
        logger: new PinoNestLogger(logger),
      });
      try {
        const admin = await app.get(AccountsService).ensureAdmin();
        const { key } = await app.get(ApiKeysService).create(admin.id, { name: `bootstrap ${new Date().toISOString()}` });
        process.stdout.write(`${key}\n`);
      } finally {
        await app.close();
      }
    },
  },
};

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
    await command.run(database.url, config, logger);
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
