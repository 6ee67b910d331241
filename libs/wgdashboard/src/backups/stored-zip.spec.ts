import { crc32 } from 'node:zlib';
import { storedZip } from './stored-zip.js';

/** Reads the archive back through its central directory, as an unzip tool does. */
function readZip(zip: Buffer): Array<{ name: string; content: string; crcOk: boolean }> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let index = 0; index < count; index++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(zip.readUInt32LE(localAt)).toBe(0x04034b50);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const content = zip.subarray(dataAt, dataAt + size);
    entries.push({ name, content: content.toString('utf8'), crcOk: crc32(content) === crc });
    at += 46 + nameLength;
  }
  return entries;
}

describe('storedZip', () => {
  it('holds each entry under its name, byte for byte, with its CRC', () => {
    const zip = storedZip([
      { name: 'wg0_20261123224021.conf', content: Buffer.from('[Interface]\nPrivateKey = x\n') },
      { name: 'wg0_20261123224021.sql', content: Buffer.from("INSERT INTO \"wg0\" VALUES('café');\n") },
    ]);
    expect(readZip(zip)).toEqual([
      { name: 'wg0_20261123224021.conf', content: '[Interface]\nPrivateKey = x\n', crcOk: true },
      { name: 'wg0_20261123224021.sql', content: "INSERT INTO \"wg0\" VALUES('café');\n", crcOk: true },
    ]);
  });

  it('is a valid empty archive without entries', () => {
    expect(readZip(storedZip([]))).toEqual([]);
  });
});
