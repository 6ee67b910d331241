/** What one POST …/users of a burst got: a status, or null when the connection was cut (the API was killed). */
export interface CreateOutcome {
  index: number;
  status: number | null;
  publicKey: string | null;
  error: string | null;
}

export interface BurstOptions {
  /** The create URL, or one per request (a burst spread over replicas). */
  url: string | ((index: number) => string);
  key: string;
  count: number;
  /** Requests in flight at once. */
  inFlight: number;
  clientName: (index: number) => string;
  /** After this many responses, `onThreshold` runs once and no further request is sent. */
  afterResponses: number;
  onThreshold: () => void;
  /** False: the burst goes on after `onThreshold` (it only marks a moment). Default true. */
  stopAtThreshold?: boolean;
}

/**
 * Fires `count` user creates with bounded concurrency and stops sending once `afterResponses` have
 * come back (the caller kills the API at that moment). Resolves when every sent request has an outcome.
 */
export async function fireCreates(options: BurstOptions): Promise<CreateOutcome[]> {
  const outcomes: CreateOutcome[] = [];
  let next = 0;
  let responses = 0;
  let stopped = false;

  const one = async (index: number): Promise<CreateOutcome> => {
    try {
      const res = await fetch(typeof options.url === 'string' ? options.url : options.url(index), {
        method: 'POST',
        headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: options.clientName(index) }),
        signal: AbortSignal.timeout(30_000),
      });
      // A response whose body was cut by the kill never reached the client: it counts as cut.
      const body = (await res.json()) as { public_key?: string };
      return { index, status: res.status, publicKey: body.public_key ?? null, error: null };
    } catch (error) {
      return { index, status: null, publicKey: null, error: String(error) };
    }
  };

  const worker = async () => {
    while (!stopped && next < options.count) {
      const outcome = await one(next++);
      outcomes.push(outcome);
      if (outcome.status !== null && ++responses === options.afterResponses) {
        stopped = options.stopAtThreshold !== false;
        options.onThreshold();
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(options.inFlight, options.count) }, worker));
  return outcomes.sort((a, b) => a.index - b.index);
}
