import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "../env.server";

/**
 * Secrets at rest (WhatsApp access tokens, app secrets, verify tokens): AES-256-GCM envelopes
 * "v1.<keyId>.<iv>.<tag>.<ciphertext>" (base64url parts). ENCRYPTION_KEYS lists "id:base64key"
 * pairs; the first encrypts, every one decrypts, so keys rotate by prepending a new one.
 */
export class EncryptionKeyMissing extends Error {
  constructor(keyId?: string) {
    super(keyId ? `No encryption key with id "${keyId}" in ENCRYPTION_KEYS` : "ENCRYPTION_KEYS is not set");
    this.name = "EncryptionKeyMissing";
  }
}

export class SecretUnreadable extends Error {
  constructor() {
    super("Stored secret could not be decrypted (wrong key or tampered data)");
    this.name = "SecretUnreadable";
  }
}

export interface Key {
  id: string;
  key: Buffer;
}

export function parseKeys(spec: string | undefined): Key[] {
  if (!spec) return [];
  return spec.split(",").map((pair) => {
    const [id, material] = pair.split(":");
    const key = Buffer.from(material ?? "", "base64");
    if (!id || key.length !== 32) throw new Error(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes of base64`);
    return { id, key };
  });
}

const keys = () => parseKeys(env().ENCRYPTION_KEYS);

export function encryptSecret(plain: string, keyring: Key[] = keys()): string {
  const current = keyring[0];
  if (!current) throw new EncryptionKeyMissing();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(Buffer.from(current.id));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url"));
  return ["v1", current.id, ...parts].join(".");
}

export function decryptSecret(envelope: string, keyring: Key[] = keys()): string {
  const [version, keyId, iv, tag, body] = envelope.split(".");
  if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new SecretUnreadable();
  const key = keyring.find((k) => k.id === keyId);
  if (!key) throw new EncryptionKeyMissing(keyId);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnreadable();
  }
}

