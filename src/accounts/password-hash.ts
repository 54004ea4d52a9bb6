/** Passwords are stored only as argon2id hashes (salted, memory-hard), never in clear; NFC first, so an accent typed either way matches. */
import { hash, verify } from '@node-rs/argon2';

/** 2 is argon2id (a `const enum` in the package's types, which isolated modules cannot import). */
const ARGON2ID = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), { algorithm: ARGON2ID });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFC'));
  } catch {
    return false;
  }
}
