/**
 * Which entry of the French catalogue answers an error raised by Fastify or
 * Node, and the answer written straight on the socket when Node's HTTP
 * parser refuses a request before any Fastify request exists. Nothing of
 * the request is repeated: Fastify's own messages quote the URL or the
 * Content-Type, and these never reach the client.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, ERRORS, type ErrorId } from '../errors/app-error.ts';
import { errorPage } from '../web/error-page.ts';

const BY_CODE: Readonly<Record<string, ErrorId>> = {
  FST_ERR_BAD_URL: 'bad-url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  HPE_HEADER_OVERFLOW: 'headers-too-large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request-timeout',
};

/** For errors known only by their status (plugins' limits: multipart answers 413). */
const BY_STATUS: Readonly<Record<number, ErrorId>> = {
  404: 'page-not-found',
  408: 'request-timeout',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  431: 'headers-too-large',
};

export interface ErrorAnswer {
  id: ErrorId;
  status: number;
  message: string;
}

export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof AppError) return { id: error.id, status: error.status, message: error.message };
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
  const byCode = typeof code === 'string' ? BY_CODE[code] : undefined;
  const id = byCode ?? (status >= 500 ? 'internal' : (BY_STATUS[status] ?? 'bad-request'));
  return { id, status: byCode ? ERRORS[byCode].status : status, message: ERRORS[id].message };
}

export function isApi(url: string): boolean {
  return url.startsWith('/api/');
}

/**
 * Node counts the request line in its 16 KiB header limit: when the line
 * alone fills most of it, the URL is what is too long (414), not the headers.
 */
function requestLineTooLong(head: string): boolean {
  const end = head.indexOf('\r\n');
  return end === -1 || end > 8192;
}

/** A complete HTTP/1.1 response, closing the connection; `head` is only read to choose 414 or 431, JSON or HTML. */
export function rawErrorResponse(code: string | undefined, head: string, securityHeaders: Readonly<Record<string, string>>): string {
  const id = code === 'HPE_HEADER_OVERFLOW' && requestLineTooLong(head) ? 'uri-too-long' : ((code ? BY_CODE[code] : undefined) ?? 'bad-request');
  const { status, title, message } = ERRORS[id];
  const api = /^[A-Z]+ \/api\//.test(head);
  const body = api ? JSON.stringify({ error: id, message }) : errorPage({ tenant: null }, title, message);
  const headers = {
    ...securityHeaders,
    'content-type': api ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
  };
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${body}`;
}

// Fastify types rawPacket loosely; Node gives the bytes it had read.
type ClientError = Error & { code?: string; rawPacket?: unknown };

/** Fastify's `clientErrorHandler`: Node's parser refused what came on this socket. */
export function answerClientError(error: ClientError, socket: Socket, securityHeaders: Readonly<Record<string, string>>): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node's own handler: never write into a response already under way on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const head = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 16384).toString('latin1') : '';
    socket.end(rawErrorResponse(error.code, head, securityHeaders), () => socket.destroy());
  } else socket.destroy();
}
