// The server side of RFC 6455, only as much as the ComfyUI fake needs (no dependency): the upgrade
// handshake, unmasked text frames to the client, and the client's close and ping frames. No extensions
// are accepted (permessage-deflate offers are ignored, which the RFC allows).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface ServerWebSocket {
  send(text: string): void;
  close(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (length < 126) {
    head[1] = length;
  } else if (length < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Completes the handshake of an `upgrade` request; null (and a 400) when it is not a WebSocket upgrade. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): ServerWebSocket | null {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return null;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const listeners: Array<() => void> = [];
  let closed = false;
  let pending = Buffer.alloc(0);
  const finish = (): void => {
    if (closed) return;
    closed = true;
    for (const listener of listeners) listener();
  };
  socket.on('close', finish);
  socket.on('error', finish);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    // Client frames are always masked; read whole frames only.
    while (pending.length >= 2) {
      const opcode = pending[0]! & 0x0f;
      let length = pending[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        at = 10;
      }
      if (pending.length < at + 4 + length) return;
      const mask = pending.subarray(at, at + 4);
      const payload = Buffer.from(pending.subarray(at + 4, at + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      pending = pending.subarray(at + 4 + length);
      if (opcode === 0x8) {
        if (!socket.destroyed) socket.end(frame(0x8, payload.subarray(0, 2)));
        finish();
        return;
      }
      if (opcode === 0x9 && !socket.destroyed) socket.write(frame(0xa, payload));
    }
  });
  return {
    send(text) {
      if (!closed && !socket.destroyed) socket.write(frame(0x1, Buffer.from(text)));
    },
    close() {
      if (!closed && !socket.destroyed) socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}
