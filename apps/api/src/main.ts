import 'reflect-metadata';
import { startBanner, startServer, stopOnSignals } from './start-server.js';

startServer(process.env).then(
  (server) => {
    stopOnSignals(server);
    process.stderr.write(startBanner(server));
  },
  (error: unknown) => {
    process.stderr.write(`wgfleet did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
