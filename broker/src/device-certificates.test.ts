import { execFile } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Database, openDatabase, schema } from '@iotp/db';
import { tempDir } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceCertificates, normalizeSerial } from './device-certificates.ts';
import { DeviceStore } from './device-store.ts';
import { Rejection } from './reasons.ts';

const run = promisify(execFile);
const EC = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'.split(' ');

describe('normalizeSerial', () => {
  it('reads a serial as openssl prints it, in any case, with leading zeros', () => {
    expect(normalizeSerial('00A1B2')).toBe('a1b2');
    expect(normalizeSerial('0')).toBe('0');
    expect(normalizeSerial('1000')).toBe('1000');
  });
});

describe('device certificates on the embedded database', () => {
  let db: Database;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let orgA: string;
  let orgB: string;
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir.path });
  const ca = async (name: string) => {
    await openssl('req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`);
    return readFile(join(dir.path, `${name}.crt`), 'utf8');
  };
  const leaf = async (caName: string, cn: string) => {
    await openssl('req', '-new', ...EC, '-keyout', `${cn}.key`, '-out', `${cn}.csr`, '-subj', `/CN=${cn}`);
    await writeFile(join(dir.path, 'leaf.ext'), 'basicConstraints=CA:FALSE\n');
    await openssl(
      ...['x509', '-req', '-in', `${cn}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`],
      ...['-set_serial', '0x0a0b', '-extfile', 'leaf.ext', '-out', `${cn}.crt`],
    );
    return new X509Certificate(await readFile(join(dir.path, `${cn}.crt`)));
  };
  const addCa = async (orgId: string, pem: string, autoRegister = false) => {
    const cert = new X509Certificate(pem);
    const [row] = await db.orm
      .insert(schema.deviceCas)
      .values({
        orgId,
        name: 'ca',
        certificatePem: pem,
        fingerprintSha256: cert.fingerprint256,
        subject: cert.subject,
        notAfter: new Date(cert.validTo),
        autoRegister,
      })
      .returning();
    return row!.id;
  };

  beforeAll(async () => {
    dir = await tempDir();
    db = await openDatabase({ dataDir: dir.path, embeddedPort: null, logger: pino({ level: 'silent' }) });
    const orgs = await db.orm
      .insert(schema.organizations)
      .values([{ name: 'A' }, { name: 'B' }])
      .returning();
    [orgA, orgB] = orgs.map((o) => o.id) as [string, string];
  });
  afterAll(async () => {
    await db?.close();
    await dir?.remove();
  });

  it("finds a CA added after its copy was read, refuses another organization's device, and revokes by serial", async () => {
    let now = Date.now();
    const certs = new DeviceCertificates({ orm: db.orm, devices: new DeviceStore(db), now: () => now });
    const devices = new DeviceStore(db);
    const mine = await devices.create({ orgId: orgA, name: 'mine' });
    const theirs = await devices.create({ orgId: orgB, name: 'theirs' });
    const pem = await ca('unit-a');
    const cert = await leaf('unit-a', mine.id);
    expect(await certs.check(cert, mine.id)).toMatchObject({ reason: 'certificate_invalid' });
    const caId = await addCa(orgA, pem);
    // Read a moment ago: the copy is kept, until a second has passed or an order says it changed.
    expect(await certs.check(cert, mine.id)).toMatchObject({ reason: 'certificate_invalid' });
    now += 1000;
    // With the organization's billing account, read with the device (none here: the free plan's).
    expect(await certs.check(cert, mine.id)).toEqual({
      device: { id: mine.id, orgId: orgA },
      caId,
      serial: 'a0b',
      account: null,
    });

    const foreign = await certs.check(await leaf('unit-a', theirs.id), theirs.id);
    expect(foreign).toBeInstanceOf(Rejection);
    expect(foreign).toMatchObject({ reason: 'certificate_device_unknown' });

    await db.orm.insert(schema.revokedCertificates).values({ caId, serial: 'a0b' });
    expect(await certs.check(cert, mine.id)).toMatchObject({ reason: 'certificate_revoked' });
  });

  it('registers an unknown device in the CA organization only through the hook, and refuses it when the plan is full', async () => {
    const asked: [string, string][] = [];
    let room = true;
    const certs = new DeviceCertificates({
      orm: db.orm,
      devices: new DeviceStore(db),
      register: async (orgId, id) => {
        asked.push([orgId, id]);
        return room;
      },
    });
    await addCa(orgB, await ca('unit-jit'), true);
    const id = randomUUID();
    const cert = await leaf('unit-jit', id);
    expect(await certs.check(cert, id)).toMatchObject({ device: { id, orgId: orgB } });
    room = false;
    expect(await certs.check(cert, id)).toMatchObject({ reason: 'plan_device_limit' });
    expect(asked).toEqual([
      [orgB, id],
      [orgB, id],
    ]);
  });
});
