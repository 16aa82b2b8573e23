import { type Orm, schema } from '@iotp/db';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail through SMTP when `smtpUrl` is set; always records it in the outbox table. */
export class Mailer {
  private readonly transport?: Transporter;
  private readonly log: Logger;

  constructor(
    private readonly orm: Orm,
    logger: Logger,
    private readonly options: { smtpUrl?: string; from?: string } = {},
  ) {
    this.log = logger.child({ component: 'mailer' });
    if (options.smtpUrl) this.transport = nodemailer.createTransport(options.smtpUrl);
  }

  async send(mail: Mail): Promise<void> {
    let sentAt: Date | null = null;
    if (this.transport) {
      try {
        await this.transport.sendMail({ from: this.options.from ?? 'IoT platform <no-reply@localhost>', ...mail });
        sentAt = new Date();
      } catch (err) {
        this.log.error({ err, to: mail.to, subject: mail.subject }, 'SMTP send failed; kept in the outbox');
      }
    } else {
      // The embedded default has no SMTP server: the outbox and this line are how mail is read.
      this.log.info({ to: mail.to, subject: mail.subject, text: mail.text }, 'mail kept in the outbox (no SMTP_URL)');
    }
    await this.orm.insert(schema.mailOutbox).values({ ...mail, sentAt });
  }
}
