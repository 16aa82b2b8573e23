import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { keyId } from '@iotp/protocol';
import { ToolError } from './errors.ts';

/** Writes an ed25519 key pair: `<base>.key` (PKCS#8 PEM, mode 0600) and `<base>.pub` (SPKI PEM). */
export async function keygen(base: string): Promise<{ privateKey: string; publicKey: string; keyId: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePath = `${base}.key`;
  const publicPath = `${base}.pub`;
  // 'wx': never overwrite a key someone may depend on.
  await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' }).catch(
    (err) => {
      throw new ToolError(
        err.code === 'EEXIST'
          ? `${privatePath} exists; choose another name or remove it`
          : `cannot write ${privatePath}: ${err.message}`,
      );
    },
  );
  await writeFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  return { privateKey: privatePath, publicKey: publicPath, keyId: keyId(publicKey) };
}

export async function loadPrivateKey(path: string): Promise<KeyObject> {
  const pem = await readFile(path, 'utf8').catch(() => {
    throw new ToolError(`cannot read the signing key ${path}; create one with: firmware-tools keygen`);
  });
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error();
    return key;
  } catch {
    throw new ToolError(`${path} is not an ed25519 private key (PKCS#8 PEM)`);
  }
}

export async function loadPublicKey(path: string): Promise<KeyObject> {
  const pem = await readFile(path, 'utf8').catch(() => {
    throw new ToolError(`cannot read the public key ${path}`);
  });
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error();
    return key;
  } catch {
    throw new ToolError(`${path} is not an ed25519 public key (SPKI PEM)`);
  }
}
