/**
 * What a page asks of third parties, watched at two levels so that a test
 * can say exactly what left the browser and when:
 *
 * - requests: every request of a browser context to an origin other than
 *   ours is recorded (its URL, when it started, how it ended) and, when it
 *   reaches the context's route, answered with a tiny page of our own;
 * - connections: the browser is launched with every host of the register's
 *   embeds mapped to a TCP listener of its own on 127.0.0.1, and every other
 *   name left unresolvable, so that a connection the route never sees (a
 *   preconnect by the HTML preload scanner, a request begun and aborted) is
 *   counted too, and nothing ever reaches the network.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.ts';

/** What a third party answers here: a page a test can recognise inside a frame. */
export const FAKE_THIRD_PARTY_TEXT = 'Contenu tiers simulé par le test';
const FAKE_PAGE = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Tiers simulé</title></head><body><p>${FAKE_THIRD_PARTY_TEXT}</p></body></html>`;

/** The one clock of requests and connections: milliseconds since this process started. */
export function clock(): number {
  return Math.round(performance.now());
}

export interface ThirdPartyRequest {
  url: string;
  host: string;
  /** When it began, on `clock()`. */
  at: number;
  resourceType: string;
  /** Whether the request reached the route (and so was answered with the fake page). */
  routed: boolean;
  /** `pending`, `finished`, or the browser's error (`net::ERR_ABORTED`: begun, then cancelled). */
  outcome: string;
  endedAt: number | undefined;
}

/** Every request of one browser context to an origin that is not one of ours, in the order they started. */
export class ThirdPartyTraffic {
  readonly requests: ThirdPartyRequest[] = [];
  readonly #byRequest = new Map<Request, ThirdPartyRequest>();
  readonly #ours: readonly string[];

  private constructor(ours: readonly string[]) {
    this.#ours = ours;
  }

  /** Starts watching `context`: answers and records every request to an origin not in `ours`. */
  static async watch(context: BrowserContext, ours: readonly string[]): Promise<ThirdPartyTraffic> {
    const traffic = new ThirdPartyTraffic(ours.map((o) => new URL(o).origin));
    context.on('request', (request) => {
      if (!traffic.isThirdParty(request.url())) return;
      const entry: ThirdPartyRequest = { url: request.url(), host: new URL(request.url()).host, at: clock(), resourceType: request.resourceType(), routed: false, outcome: 'pending', endedAt: undefined };
      traffic.requests.push(entry);
      traffic.#byRequest.set(request, entry);
    });
    context.on('requestfinished', (request) => traffic.#end(request, 'finished'));
    context.on('requestfailed', (request) => traffic.#end(request, request.failure()?.errorText ?? 'failed'));
    await context.route(
      (url) => traffic.isThirdParty(url.href),
      async (route) => {
        const entry = traffic.#byRequest.get(route.request());
        if (entry) entry.routed = true;
        await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: FAKE_PAGE }).catch(() => {});
      },
    );
    return traffic;
  }

  isThirdParty(url: string): boolean {
    if (!/^(https?|wss?):/.test(url)) return false;
    return !this.#ours.includes(new URL(url).origin);
  }

  urls(): string[] {
    return this.requests.map((r) => r.url);
  }

  /** The requests started after `mark` (an earlier `requests.length`). */
  since(mark: number): ThirdPartyRequest[] {
    return this.requests.slice(mark);
  }

  #end(request: Request, outcome: string): void {
    const entry = this.#byRequest.get(request);
    if (!entry) return;
    entry.outcome = outcome;
    entry.endedAt = clock();
  }
}

export interface Connection {
  host: string;
  /** When it was accepted, on `clock()`. */
  at: number;
}

/**
 * One TCP listener on 127.0.0.1 per third-party host: the browser's resolver
 * sends each host there, so every connection it opens is counted, and none
 * is ever answered (no TLS, no HTTP).
 */
export class ConnectionSinks {
  readonly connections: Connection[] = [];
  readonly #servers = new Map<string, Server>();
  readonly #sockets = new Set<Socket>();

  static async start(hosts: readonly string[]): Promise<ConnectionSinks> {
    const sinks = new ConnectionSinks();
    for (const host of new Set(hosts)) {
      const server = createServer((socket) => {
        sinks.connections.push({ host, at: clock() });
        sinks.#sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sinks.#sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
      sinks.#servers.set(host, server);
    }
    return sinks;
  }

  /** Chromium's --host-resolver-rules: each host to its listener, localhost as usual, any other name unresolvable. */
  resolverRules(): string {
    const maps = [...this.#servers].map(([host, server]) => `MAP ${host} 127.0.0.1:${(server.address() as { port: number }).port}`);
    return [...maps, 'MAP * ~NOTFOUND', 'EXCLUDE localhost', 'EXCLUDE 127.0.0.1'].join(', ');
  }

  /** Connections opened after `mark` (an earlier `connections.length`). */
  since(mark: number): Connection[] {
    return this.connections.slice(mark);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all([...this.#servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Headless Chromium (the flags of browser.ts) whose name resolution goes to the sinks and nowhere else. */
export function launchWalledBrowser(sinks: ConnectionSinks): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${sinks.resolverRules()}`],
  });
}
