/**
 * For tests: runs consent.js, exactly as served, in a Node `vm` context with
 * the few browser objects it touches (cookies, the beacon, fetch), so that
 * what it reads and writes can be asserted line by line: the visitor
 * cookie's expiry, what a beacon carries, that nothing is sent after an
 * objection. The banner, the panel and the frames are the browser suite's
 * (e2e/consent.test.ts); here the page has no embed to show.
 */
import { runInNewContext } from 'node:vm';

export interface CookieWrite {
  name: string;
  value: string;
  expires: Date | null;
  path: string | null;
}

export interface ClientRun {
  /** Every cookie the script wrote, in order. */
  writes: CookieWrite[];
  /** Every beacon: its address and its JSON body. */
  beacons: Array<{ url: string; body: Record<string, unknown> }>;
  /** The cookies after the run, as the next page would see them. */
  jar: Map<string, { value: string; expires: Date | null }>;
}

interface Options {
  /** Where the page is (the platform's own pages, or another site of the authority). */
  pageUrl: string;
  scriptUrl: string;
  /** Cookies already in the browser. */
  jar?: Map<string, { value: string; expires: Date | null }>;
  globalPrivacyControl?: boolean;
  doNotTrack?: string;
  now?: Date;
  /** The page's audience meta (`form-viewed demande-urbanisme`). */
  meta?: string;
}

class FakeElement {
  children: FakeElement[] = [];
  attributes = new Map<string, string>();
  textContent = '';
  style: Record<string, string> = {};
  offsetHeight = 0;
  classList = { add() {}, contains: () => false };
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  getAttribute(name: string) {
    return this.attributes.get(name) ?? null;
  }
  appendChild(child: FakeElement) {
    this.children.push(child);
    return child;
  }
  insertBefore(child: FakeElement) {
    this.children.unshift(child);
    return child;
  }
  get firstChild(): FakeElement | null {
    return this.children[0] ?? null;
  }
  get lastChild(): FakeElement | null {
    return this.children.at(-1) ?? null;
  }
  remove() {}
  querySelectorAll() {
    return [];
  }
  querySelector() {
    return null;
  }
  addEventListener() {}
}

export function runConsentClient(source: string, options: Options): ClientRun {
  const now = options.now ?? new Date();
  const jar = new Map(options.jar ?? []);
  const writes: CookieWrite[] = [];
  const beacons: ClientRun['beacons'] = [];
  const page = new URL(options.pageUrl);
  const body = new FakeElement('BODY');
  const head = new FakeElement('HEAD');
  const document = {
    currentScript: { src: options.scriptUrl },
    readyState: 'complete',
    referrer: '',
    documentElement: new FakeElement('HTML'),
    body,
    head,
    get cookie() {
      return [...jar].filter(([, c]) => !c.expires || c.expires > now).map(([k, c]) => `${k}=${c.value}`).join('; ');
    },
    set cookie(line: string) {
      const [pair, ...attrs] = line.split(';');
      const [name, value = ''] = pair!.split('=');
      const get = (key: string) => attrs.map((a) => a.split('=')).find(([k]) => k!.trim().toLowerCase() === key)?.[1] ?? null;
      const expires = get('expires');
      const write = { name: name!, value, expires: expires ? new Date(expires) : null, path: get('path') };
      writes.push(write);
      jar.set(write.name, { value, expires: write.expires });
    },
    createElement: (tag: string) => new FakeElement(tag.toUpperCase()),
    querySelectorAll: () => [],
    querySelector: (selector: string) => (options.meta && selector.includes('bastide-audience') ? { content: options.meta } : null),
    addEventListener() {},
  };
  const navigator = {
    globalPrivacyControl: options.globalPrivacyControl,
    doNotTrack: options.doNotTrack ?? null,
    sendBeacon(url: string, blob: { text: string }) {
      beacons.push({ url, body: JSON.parse(blob.text) as Record<string, unknown> });
      return true;
    },
  };
  class FakeDate extends Date {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now.getTime());
      else super(...(args as [number]));
    }
    static override now() {
      return now.getTime();
    }
  }
  const context = {
    document,
    navigator,
    location: { origin: page.origin, href: page.href, protocol: page.protocol },
    window: { doNotTrack: undefined, addEventListener() {}, removeEventListener() {} } as Record<string, unknown>,
    URL,
    Date: FakeDate,
    JSON,
    Math,
    Uint8Array,
    String,
    parseInt,
    btoa: (s: string) => Buffer.from(s, 'binary').toString('base64'),
    crypto: { getRandomValues: (a: Uint8Array) => a.map(() => Math.floor(Math.random() * 256)) },
    Blob: class {
      text: string;
      constructor(parts: string[]) {
        this.text = parts.join('');
      }
    },
    fetch: () => new Promise(() => {}),
    MutationObserver: class {
      observe() {}
    },
  };
  (context.window as Record<string, unknown>)['bastideConsent'] = undefined;
  runInNewContext(source, context);
  return { writes, beacons, jar };
}
