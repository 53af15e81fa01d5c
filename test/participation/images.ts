/** Test images built byte by byte: a JPEG with GPS EXIF, a PNG with text and eXIf chunks, a WebP with EXIF and XMP. */
import { deflateSync } from 'node:zlib';

/** A TIFF/EXIF block (big-endian) whose GPS IFD says 30°14'35.2"N 120°9'4.3"E. */
export function exifWithGps(): Buffer {
  const b = Buffer.alloc(140);
  b.write('MM', 0, 'latin1');
  b.writeUInt16BE(42, 2);
  b.writeUInt32BE(8, 4); // IFD0 at 8
  b.writeUInt16BE(1, 8); // one entry: GPS IFD pointer
  b.writeUInt16BE(0x8825, 10);
  b.writeUInt16BE(4, 12); // LONG
  b.writeUInt32BE(1, 14);
  b.writeUInt32BE(26, 18); // GPS IFD at 26
  b.writeUInt32BE(0, 22);
  // GPS IFD: LatitudeRef, Latitude, LongitudeRef, Longitude
  b.writeUInt16BE(4, 26);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    b.writeUInt16BE(tag, at);
    b.writeUInt16BE(type, at + 2);
    b.writeUInt32BE(count, at + 4);
    b.writeUInt32BE(value, at + 8);
  };
  entry(28, 0x0001, 2, 2, 0x4e000000); // 'N'
  entry(40, 0x0002, 5, 3, 80);
  entry(52, 0x0003, 2, 2, 0x45000000); // 'E'
  entry(64, 0x0004, 5, 3, 104);
  b.writeUInt32BE(0, 76);
  const rationals = (at: number, v: number[]) =>
    v.forEach((x, i) => {
      b.writeUInt32BE(x, at + i * 8);
      b.writeUInt32BE(i === 2 ? 10 : 1, at + i * 8 + 4);
    });
  rationals(80, [30, 14, 352]);
  rationals(104, [120, 9, 43]);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), b]);
}

const segment = (marker: number, payload: Buffer) => {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
};

/** SOI, JFIF, EXIF with GPS, XMP, a comment, quantization, frame, scan data, EOI. */
export function jpegWithGps(): Buffer {
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const xmp = Buffer.from(
    'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>30,14.58N</exif:GPSLatitude></x:xmpmeta>',
    'latin1',
  );
  const dqt = Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]);
  const sof = Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
  const sos = Buffer.from([1, 1, 0, 0, 0x3f, 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xe1, exifWithGps()),
    segment(0xe1, xmp),
    segment(0xfe, Buffer.from('shot at home, 3-2-501', 'latin1')),
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xda, sos),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]),
    Buffer.from([0xff, 0xd9]),
  ]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

/** A 1×1 PNG with tEXt, iTXt, zTXt and eXIf (GPS) chunks. */
export function pngWithMetadata(): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Comment\0GPS 30.2431,120.1512', 'latin1')),
    chunk('iTXt', Buffer.from('Location\0\0\0\0\0home', 'latin1')),
    chunk('zTXt', Buffer.concat([Buffer.from('Raw\0\0', 'latin1'), deflateSync('GPS')])),
    chunk('eXIf', exifWithGps().subarray(6)),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const riffChunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
};

/** An extended WebP (VP8X with EXIF and XMP flags) carrying EXIF and XMP chunks. */
export function webpWithMetadata(): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x08 | 0x04;
  const body = Buffer.concat([
    riffChunk('VP8X', vp8x),
    riffChunk('VP8L', Buffer.from([0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0])),
    riffChunk('EXIF', exifWithGps().subarray(6)),
    riffChunk('XMP ', Buffer.from('<x:xmpmeta>GPSLatitude 30.24</x:xmpmeta>', 'latin1')),
  ]);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/** Whether a buffer still carries any trace of the location metadata above. */
export function hasLocationTrace(b: Buffer): boolean {
  const s = b.toString('latin1');
  const gpsRational = Buffer.from([0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 14]);
  return /Exif|GPS|xmpmeta|Location|home|eXIf|tEXt|iTXt|zTXt/.test(s) || b.includes(gpsRational);
}
