import { createHash } from 'node:crypto';
import { anyOf, type Orm, schema } from '@iotp/db';
import { and, asc, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { coalesced } from '../coalesced.ts';

const { mailOutbox } = schema;

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface SendOptions {
  /**
   * Names the mail across retries of whatever sends it (an event and its recipient): a second send
   * with the same key queues nothing while the first is in the outbox (`purge` ends that after a week).
   */
  key?: string;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:587`; unset, mail stays in the outbox and is logged. */
  smtpUrl?: string;
  from?: string;
  /** Mail claimed per database round trip while draining. */
  batch?: number;
  /** Mail that could not be sent for this long is left in the outbox: its links have expired anyway. */
  retryForS?: number;
}

/**
 * Mail goes out through the `mail_outbox` table: `send()` only inserts a row, so a request costs the
 * same whoever the mail is for; `drain()` sends what is queued, from any process. A row's `sent_at`
 * is set when it leaves the outbox (sent, or refused for good by the SMTP server).
 * @example const mailer = new Mailer(db.orm, logger, { smtpUrl }); await mailer.send(mail); // drained at once
 */
export class Mailer {
  private readonly transport?: Transporter;
  private readonly log: Logger;

  constructor(
    private readonly orm: Orm,
    logger: Logger,
    private readonly options: MailerOptions = {},
  ) {
    this.log = logger.child({ component: 'mailer' });
    if (options.smtpUrl) this.transport = nodemailer.createTransport(options.smtpUrl);
  }

  /** Queues a mail, once per `key` when given; with SMTP configured a drain starts after the current request's work. */
  async send(mail: Mail, { key }: SendOptions = {}): Promise<void> {
    const [row] = await this.orm
      .insert(mailOutbox)
      .values(key ? { ...mail, id: keyedId(key) } : mail)
      .onConflictDoNothing({ target: mailOutbox.id })
      .returning({ id: mailOutbox.id });
    if (!row) return; // queued before under this key
    if (this.transport) setImmediate(() => void this.drain());
    // The embedded default has no SMTP server: mail is read from the outbox. Never its text here:
    // it carries one-time tokens, and logs are kept and shipped.
    else
      this.log.info(
        { to: mail.to, subject: mail.subject, id: row.id },
        `mail kept in the outbox (no SMTP_URL): SELECT text FROM mail_outbox WHERE id = '${row.id}'`,
      );
  }

  /**
   * Sends queued mail until none is left or the SMTP server fails; never rejects. Concurrent calls
   * share one pass, which runs once more if a call came in during it.
   */
  drain(): Promise<void> {
    if (!this.transport) return Promise.resolve();
    return this.drainOnce().catch((err) =>
      this.log.error({ err }, 'mail outbox drain failed; retried on the next pass'),
    );
  }

  private readonly drainOnce = coalesced(async () => {
    while (await this.sendBatch());
  });

  /**
   * Deletes mail older than `olderThanS` (default 7 days), sent or not: unsent mail that old is past
   * its retries and its links have expired, and the outbox should not keep tokens for long.
   */
  async purge(olderThanS = 7 * 86_400): Promise<number> {
    const gone = await this.orm
      .delete(mailOutbox)
      .where(lt(mailOutbox.createdAt, sql`now() - make_interval(secs => ${olderThanS})`))
      .returning({ id: mailOutbox.id });
    return gone.length;
  }

  /** Claims a batch (other processes skip it), sends it; true when a full batch went out. */
  private async sendBatch(): Promise<boolean> {
    const limit = this.options.batch ?? 20;
    const due = this.orm
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(
        and(
          isNull(mailOutbox.sentAt),
          gt(mailOutbox.createdAt, sql`now() - make_interval(secs => ${this.options.retryForS ?? 86_400})`),
        ),
      )
      .orderBy(asc(mailOutbox.createdAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    const claimed = await this.orm
      .update(mailOutbox)
      .set({ sentAt: sql`now()` })
      .where(inArray(mailOutbox.id, due))
      .returning();
    for (const [i, mail] of claimed.entries()) {
      try {
        await this.transport!.sendMail({
          from: this.options.from ?? 'IoT platform <no-reply@localhost>',
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) {
          // RFC 5321 §4.2.1: a 5yz reply is permanent; sending again would fail again.
          this.log.error({ err, to: mail.to, subject: mail.subject }, 'SMTP refused the mail for good; dropped');
          continue;
        }
        // The server is down or busy: hand this mail and the rest of the batch back for the next pass.
        const back = claimed.slice(i).map((m) => m.id);
        await this.orm.update(mailOutbox).set({ sentAt: null }).where(anyOf(mailOutbox.id, back));
        this.log.warn({ err, to: mail.to, subject: mail.subject }, 'SMTP send failed; kept in the outbox');
        return false;
      }
    }
    return claimed.length === limit;
  }
}

/**
 * The outbox row's id for a keyed mail: the key's SHA-256 as a UUID, so the primary key refuses a
 * second row. Version 8 and the RFC variant bits, as RFC 9562 §5.8 gives custom UUIDs.
 */
export function keyedId(key: string): string {
  const b = createHash('sha256').update(`mail:${key}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
