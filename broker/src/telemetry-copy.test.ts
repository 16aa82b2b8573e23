import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_TELEMETRY, encodeTelemetryCopy, type TelemetryColumns } from './telemetry-copy.ts';

const logger = pino({ level: 'silent' });
const DEVICE = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff';

describe('encodeTelemetryCopy', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', poolSize: 2, logger });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('stores every column as the database reads it back, nulls and UTF-8 included', async () => {
    const t = Date.parse('2026-03-04T05:06:07.123Z') * 1000 + 456;
    const rows: TelemetryColumns = {
      // Before 2000 the time is negative in PostgreSQL's own epoch.
      time: [t, t + 1, t + 2, Date.parse('1999-12-31T23:59:59.999Z') * 1000 + 999],
      device: [DEVICE, DEVICE.toUpperCase(), DEVICE, DEVICE],
      metric: ['temp', 'état/ü', 'on', 'note'],
      value: [-21.5, Number.NaN, null, 1e308],
      bool: [null, null, true, false],
      text: [null, null, null, 'héllo ✓ "quoted"\ttab'],
    };
    await db.sql.transaction(async (tx) => {
      await tx.copyIn!(COPY_TELEMETRY, encodeTelemetryCopy(rows));
    });
    const back = await db.sql.query<Record<string, unknown>>(
      `SELECT (extract(epoch FROM time) * 1000000)::int8::text AS us, device_id, metric, value, value_bool, value_text
       FROM telemetry WHERE device_id = $1 ORDER BY time DESC, metric`,
      [DEVICE],
    );
    expect(back).toEqual([
      { us: String(t + 2), device_id: DEVICE, metric: 'on', value: null, value_bool: true, value_text: null },
      { us: String(t + 1), device_id: DEVICE, metric: 'état/ü', value: Number.NaN, value_bool: null, value_text: null },
      { us: String(t), device_id: DEVICE, metric: 'temp', value: -21.5, value_bool: null, value_text: null },
      {
        us: String(rows.time[3]),
        device_id: DEVICE,
        metric: 'note',
        value: 1e308,
        value_bool: false,
        value_text: 'héllo ✓ "quoted"\ttab',
      },
    ]);
  });

  it('refuses a device id that is no uuid instead of sending wrong bytes', () => {
    const row = (device: string): TelemetryColumns => ({
      time: [0],
      device: [device],
      metric: ['m'],
      value: [1],
      bool: [null],
      text: [null],
    });
    expect(() => encodeTelemetryCopy(row('not-a-uuid'))).toThrow(RangeError);
    expect(() => encodeTelemetryCopy(row(DEVICE.replace('-', 'x')))).toThrow(RangeError);
    expect(() => encodeTelemetryCopy(row(DEVICE.replace('f', 'g')))).toThrow(RangeError);
    expect(encodeTelemetryCopy(row(DEVICE)).length).toBeGreaterThan(0);
  });
});
