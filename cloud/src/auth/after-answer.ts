import type { Logger } from 'pino';

/**
 * Runs work whose cost depends on whether an account exists after the response is written, so the
 * response time cannot tell (OWASP Forgot Password Cheat Sheet: uniform response time).
 * @example afterAnswer.run('sign-up', () => sendVerification(user)); await afterAnswer.settled();
 */
export class AfterAnswer {
  /** Work started by `run`, until it ends. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts `work` once the current answer is on its way. Failures are logged: the caller has had its answer. */
  run(what: string, work: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err) => this.log.error({ err }, `${what}: work after the answer failed`))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves when the work started after earlier answers has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all(this.pending);
  }
}
