/**
 * HTTP load generator, run as a child process (autocannon) so it does not share a core with the
 * server under test. Receives an {@link HttpLoadJob} over IPC and answers an {@link HttpLoadResult}.
 */
import autocannon from 'autocannon';
import type { HttpLoadJob as Job } from './run-load.ts';

process.once('message', async (job: Job) => {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${job.port}`,
    connections: job.connections,
    duration: job.seconds,
    headers: job.token ? { authorization: `Bearer ${job.token}` } : {},
    requests: [{ setupRequest: (req) => ({ ...req, path: job.paths[i++ % job.paths.length] }) }],
  });
  process.send!(
    {
      non2xx: result.non2xx,
      errors: result.errors,
      req_per_s: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
    },
    () => process.exit(0),
  );
});
