import { isUtf8 } from 'node:buffer';
import type { Client } from 'aedes';
import { Rejection } from './reasons.ts';

interface StringParser {
  _parseString(): string | null;
  _pos: number;
  _list: { slice(start: number, end: number): Buffer };
  packet: { cmd?: string };
  error: Error | null;
  _emitError(err: Error): void;
}

/**
 * mqtt-packet decodes strings leniently: ill-formed UTF-8 turns into U+FFFD and U+0000 passes.
 * Either must close the connection [MQTT-1.5.3-1], [MQTT-1.5.3-2]; this checks every string of
 * every packet (client id, will topic, user name, topic names and filters) as it is parsed, and
 * fails the parse, so the packet is never handled.
 */
export function checkStrings(client: Client, onInvalid: (why: Rejection) => void): void {
  const parser = (client as unknown as { _parser: StringParser })._parser;
  const parseString = parser._parseString;
  parser._parseString = function (this: StringParser) {
    const start = this._pos + 2; // after the string's two-byte length
    const s = parseString.call(this);
    if (s === null || this.error) return s;
    // A well-formed U+FFFD may be sent too: only then are the bytes themselves checked.
    if (s.includes('\0') || (s.includes('\uFFFD') && !isUtf8(this._list.slice(start, this._pos)))) {
      const why = new Rejection('invalid_utf8', `in ${this.packet.cmd ?? 'a packet'}`);
      onInvalid(why);
      this._emitError(why); // Aedes closes the connection on a parser error
    }
    return s;
  };
}
