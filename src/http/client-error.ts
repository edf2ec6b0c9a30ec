import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** A header name as RFC 9110 spells one: what may be named in the answer. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
/** Bytes no header may hold: controls other than tab (a NUL, a bare CR or LF inside a value). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

interface ClientErrorAnswer {
  status: number;
  reason: string;
  body: { errors: { message: string; extensions: Record<string, unknown> }[] };
}

/**
 * The header line Node's parser refused, from the bytes it had received: the first header whose
 * value holds a control character. Null when it cannot tell (the bytes are not there, or the bad
 * byte is elsewhere).
 */
function refusedHeader(rawPacket: unknown): string | null {
  if (!Buffer.isBuffer(rawPacket)) return null;
  const lines = rawPacket.toString('latin1').split('\r\n');
  // lines[0] is the request line; the headers end at the first empty line
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (CONTROL.test(line.slice(colon + 1)) && HEADER_NAME.test(name)) return name.toLowerCase();
  }
  return null;
}

/** What a client whose request Node's HTTP parser refused is told, by the parser's error code. */
export function clientErrorAnswer(error: Error & { code?: string; rawPacket?: unknown }): ClientErrorAnswer {
  const answer = (status: number, reason: string, message: string, extensions: Record<string, unknown>): ClientErrorAnswer => ({
    status,
    reason,
    body: { errors: [{ message, extensions }] },
  });
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return answer(431, 'Request Header Fields Too Large', 'The request headers are too large', { code: 'BAD_REQUEST' });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return answer(408, 'Request Timeout', 'The request was not received in time', { code: 'BAD_REQUEST' });
    case 'HPE_INVALID_HEADER_TOKEN': {
      const field = refusedHeader(error.rawPacket);
      return answer(
        400,
        'Bad Request',
        field
          ? `Header ${field} holds a character no header may (a NUL or another control character)`
          : 'A request header holds a character no header may (a NUL or another control character), or its name is not a header name',
        { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) },
      );
    }
    default:
      return answer(400, 'Bad Request', 'The request is not valid HTTP', { code: 'BAD_REQUEST' });
  }
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (a NUL or other control
 * character in a header, a malformed request line, headers past the size limit) get the same
 * JSON error shape as every other refusal, rather than Node's bare `400 Bad Request` with no body,
 * which tells the client nothing about what to change. The connection is closed after the answer:
 * the parser's position in the stream is lost.
 */
export function answerClientErrors(httpServer: http.Server, log: Logger): void {
  httpServer.on('clientError', (error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex) => {
    // a response already under way on this connection, or a peer already gone: nothing can be said
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, reason, body } = clientErrorAnswer(error);
    log.debug({ code: error.code, status }, 'request refused by the HTTP parser');
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(json)}\r\n` +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n' +
        `\r\n${json}`,
    );
  });
}
