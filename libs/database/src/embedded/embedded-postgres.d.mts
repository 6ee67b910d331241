export interface EmbeddedPostgresHandle {
  /** Connection URL of the `wgfleet` database. */
  url: string;
  /** False when an already running cluster for this data directory was reused. */
  started: boolean;
  pid: number | null;
  /** Stops the cluster if this handle started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle>;
