import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailer } from './mailer.ts';

const logger = pino({ level: 'silent' });

describe('Mailer', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', logger });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('sends through a real SMTP server and records the mail as sent', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let data = '';
        stream.on('data', (d) => {
          data += d;
        });
        stream.on('end', () => {
          received.push(data);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    try {
      const mailer = new Mailer(db.orm, logger, {
        smtpUrl: `smtp://127.0.0.1:${port}`,
        from: 'Platform <p@example.com>',
      });
      await mailer.send({ to: 'someone@example.com', subject: 'Hello', text: 'Body text' });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatch(/Subject: Hello/);
      expect(received[0]).toMatch(/Body text/);
      const [row] = await db.sql.query<{ sent_at: Date | null }>(
        "SELECT sent_at FROM mail_outbox WHERE subject = 'Hello'",
      );
      expect(row?.sent_at).toBeTruthy();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps mail in the outbox when no SMTP server is configured', async () => {
    await new Mailer(db.orm, logger).send({ to: 'x@example.com', subject: 'Kept', text: 't' });
    const [row] = await db.sql.query<{ sent_at: Date | null }>(
      "SELECT sent_at FROM mail_outbox WHERE subject = 'Kept'",
    );
    expect(row).toEqual({ sent_at: null });
  });
});
