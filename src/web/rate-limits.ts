/**
 * One counter per purpose and client address, whatever route or page the
 * request came through: the JSON API and the HTML form share the
 * submissions' counter, the tracking page and its API share theirs. Callers
 * count only what the limit is about (a submission, not a click on "Ajouter
 * un enfant"; a failed sign-in, not a successful one).
 *
 * Fixed windows in memory: one instance's view. With several instances the
 * store moves to the database (ROADMAP: rate limits shared).
 */
export type Purpose = 'submission' | 'draft' | 'tracking' | 'auth-failure' | 'rights' | 'consent' | 'hit';

export interface Limit {
  max: number;
  windowMs: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Window {
  count: number;
  resetAt: number;
}

/** Beyond this many counters, expired ones are swept (at most once a second), then the oldest dropped. */
const SWEEP_AT = 50_000;
const MAX_COUNTERS = 100_000;

/**
 * The client as counted: an IPv4 address, or the /64 of an IPv6 one (a
 * single subscriber commonly holds a whole /64, and could otherwise rotate
 * through it).
 */
export function clientKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.slice(7);
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class RateLimits {
  readonly #limits: Record<Purpose, Limit>;
  readonly #clock: () => number;
  readonly #windows = new Map<string, Window>();
  #lastSweep = 0;

  constructor(limits: Record<Purpose, Limit>, clock: () => number = Date.now) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** Counts one more and says whether it is still within the limit. */
  hit(purpose: Purpose, client: string): Verdict {
    const w = this.#window(purpose, client, true)!;
    w.count++;
    return this.#verdict(purpose, w);
  }

  /** Whether one more would still be within the limit, without counting it. */
  check(purpose: Purpose, client: string): Verdict {
    const w = this.#window(purpose, client, false);
    return w ? this.#verdict(purpose, w, 1) : { ok: true };
  }

  /** Gives back one counted too early (an attempt counted before it was known to fail, that succeeded). */
  forgive(purpose: Purpose, client: string): void {
    const w = this.#window(purpose, client, false);
    if (w && w.count > 0) w.count--;
  }

  #verdict(purpose: Purpose, w: Window, more = 0): Verdict {
    if (w.count + more <= this.#limits[purpose].max) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - this.#clock()) / 1000)) };
  }

  #window(purpose: Purpose, client: string, create: boolean): Window | undefined {
    const now = this.#clock();
    const key = `${purpose}\u0000${clientKey(client)}`;
    const w = this.#windows.get(key);
    if (w && w.resetAt > now) return w;
    if (!create) return undefined;
    if (this.#windows.size >= SWEEP_AT && now - this.#lastSweep >= 1000) {
      this.#lastSweep = now;
      for (const [k, v] of this.#windows) if (v.resetAt <= now) this.#windows.delete(k);
    }
    // Still too many (a flood of addresses): the oldest windows go first.
    for (const k of this.#windows.keys()) {
      if (this.#windows.size < MAX_COUNTERS) break;
      this.#windows.delete(k);
    }
    const fresh = { count: 0, resetAt: now + this.#limits[purpose].windowMs };
    this.#windows.set(key, fresh);
    return fresh;
  }
}

export function tooManySubmissions(retryAfterSeconds: number): string {
  return `Trop de demandes envoyées depuis cette adresse : réessayez ${retryDelayInFrench(retryAfterSeconds)}.`;
}

/** "dans 3 minutes", "dans 40 secondes": when to try again, in words. */
export function retryDelayInFrench(seconds: number): string {
  if (seconds < 60) return `dans ${seconds} seconde${seconds > 1 ? 's' : ''}`;
  const minutes = Math.ceil(seconds / 60);
  return `dans ${minutes} minute${minutes > 1 ? 's' : ''}`;
}
