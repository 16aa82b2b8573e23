import type { Client } from 'aedes';

interface LengthParser {
  _parseLength(): boolean;
  packet: { length: number };
  _list: { length: number; consume(n: number): void };
}

/**
 * Aedes has no packet-size cap, and mqtt-packet buffers a whole packet before emitting it. This
 * checks the Remaining Length as soon as the fixed header is parsed [MQTT-2.2.3], so an oversized
 * packet is refused before its body is read.
 */
export function capPacketSize(client: Client, maxBytes: number, onTooLarge: (size: number) => void): void {
  const parser = (client as unknown as { _parser: LengthParser })._parser;
  const parseLength = parser._parseLength;
  parser._parseLength = function (this: LengthParser) {
    const done = parseLength.call(this);
    if (done && this.packet.length > maxBytes) {
      this._list.consume(this._list.length);
      onTooLarge(this.packet.length);
      return false;
    }
    return done;
  };
}
