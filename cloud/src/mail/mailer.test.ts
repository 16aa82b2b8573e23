import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpServer } from '../testing.ts';
import { keyedId, Mailer } from './mailer.ts';

const logger = pino({ level: 'silent' });

describe('Mailer', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  const sentAt = async (subject: string) =>
    (await db.sql.query<{ sent_at: Date | null }>('SELECT sent_at FROM mail_outbox WHERE subject = $1', [subject]))[0]
      ?.sent_at;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', logger });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('queues mail in the outbox and sends it through a real SMTP server when drained', async () => {
    const smtp = await smtpServer();
    try {
      const mailer = new Mailer(db.orm, logger, { smtpUrl: smtp.url, from: 'Platform <p@example.com>' });
      await mailer.send({ to: 'someone@example.com', subject: 'Hello', text: 'Body text' });
      await mailer.drain();
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]).toMatch(/Subject: Hello/);
      expect(smtp.received[0]).toMatch(/Body text/);
      expect(await sentAt('Hello')).toBeTruthy();
    } finally {
      await smtp.close();
    }
  });

  it('keeps mail queued while the SMTP server is down and sends it once it is back', async () => {
    const smtp = await smtpServer();
    const { port } = smtp;
    await smtp.close();
    const mailer = new Mailer(db.orm, logger, { smtpUrl: `smtp://127.0.0.1:${port}` });
    await mailer.send({ to: 'later@example.com', subject: 'Later', text: 't' });
    await mailer.drain();
    expect(await sentAt('Later')).toBeNull();
    // The same address again: the next pass (the platform's timer) delivers it.
    const back = await smtpServer({ port });
    try {
      await mailer.drain();
      expect(await sentAt('Later')).toBeTruthy();
    } finally {
      await back.close();
    }
  });

  it('drops a mail the server refuses for good (5xx) and goes on with the rest', async () => {
    const smtp = await smtpServer({ refuse: 'gone@example.com' });
    try {
      const mailer = new Mailer(db.orm, logger, { smtpUrl: smtp.url });
      await mailer.send({ to: 'gone@example.com', subject: 'Refused', text: 't' });
      await mailer.send({ to: 'here@example.com', subject: 'Accepted', text: 't' });
      await mailer.drain();
      expect(smtp.received).toHaveLength(1);
      expect(await sentAt('Refused')).toBeTruthy();
      expect(await sentAt('Accepted')).toBeTruthy();
    } finally {
      await smtp.close();
    }
  });

  it('queues a keyed mail once however often it is sent, and sends it once', async () => {
    const smtp = await smtpServer();
    try {
      const mailer = new Mailer(db.orm, logger, { smtpUrl: smtp.url });
      const mail = { to: 'once@example.com', subject: 'Keyed', text: 't' };
      await mailer.send(mail, { key: 'event:42:user-1' });
      await mailer.drain();
      // Handed over again, as the event outbox does after a failure: sent already, nothing queued.
      await mailer.send(mail, { key: 'event:42:user-1' });
      await mailer.send({ ...mail, subject: 'Keyed other' }, { key: 'event:42:user-2' });
      await mailer.drain();
      expect(smtp.received.filter((m) => /Subject: Keyed\r?\n/.test(m))).toHaveLength(1);
      expect(smtp.received).toHaveLength(2);
      expect(keyedId('event:42:user-1')).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    } finally {
      await smtp.close();
    }
  });

  it('keeps mail in the outbox when no SMTP server is configured, and never logs its text', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    await new Mailer(db.orm, capture).send({ to: 'x@example.com', subject: 'Kept', text: 'Token: one-time-secret' });
    expect(await sentAt('Kept')).toBeNull();
    expect(lines.join('')).toContain('mail_outbox');
    expect(lines.join('')).not.toContain('one-time-secret');
  });

  it('purges mail older than a week, sent or not, and keeps the rest', async () => {
    await db.sql.query(
      `INSERT INTO mail_outbox ("to", subject, text, created_at, sent_at) VALUES
         ('o@example.com', 'Old sent', 't', now() - interval '8 days', now() - interval '8 days'),
         ('o@example.com', 'Old unsent', 't', now() - interval '8 days', NULL),
         ('o@example.com', 'Recent', 't', now() - interval '1 day', NULL)`,
    );
    expect(await new Mailer(db.orm, logger).purge()).toBe(2);
    const left = await db.sql.query<{ subject: string }>(
      'SELECT subject FROM mail_outbox WHERE "to" = \'o@example.com\'',
    );
    expect(left.map((r) => r.subject)).toEqual(['Recent']);
  });
});
