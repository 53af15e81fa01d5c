/**
 * Photo checks by content: the type comes from the magic bytes (JPEG, PNG, WebP), never
 * from the file name or the declared type, and metadata that can carry a location (EXIF
 * with GPS, XMP, text chunks, comments) is removed without decoding the image:
 * - JPEG: APP1 (EXIF, XMP) and APP3–APP13, APP15 and COM segments are dropped; APP0
 *   (JFIF), APP2 (ICC colour profile) and APP14 (Adobe colour transform) are kept.
 * - PNG: eXIf, tEXt, iTXt and zTXt chunks are dropped.
 * - WebP: EXIF and XMP chunks are dropped and the VP8X flags updated.
 */
import { InvalidInputError, UnsupportedMediaTypeError } from '../kernel/index.ts';

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';
export const IMAGE_TYPES: readonly ImageType[] = ['image/jpeg', 'image/png', 'image/webp'];
export const EXTENSIONS: Readonly<Record<ImageType, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type by magic bytes, or null. */
export function sniffImageType(data: Buffer): ImageType | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (
    data.length >= 12 &&
    data.toString('latin1', 0, 4) === 'RIFF' &&
    data.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  return null;
}

const broken = (what: string) =>
  new InvalidInputError(`The ${what} file is damaged.`, undefined, 'upload.damaged_image');

/** JPEG: keeps every segment but the metadata ones, and the entropy-coded data verbatim. */
export function stripJpeg(data: Buffer): Buffer {
  const out: Buffer[] = [data.subarray(0, 2)];
  let i = 2;
  while (i < data.length) {
    if (data[i] !== 0xff) throw broken('JPEG');
    const marker = data[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM and RSTn; EOI ends the image.
    if (marker === 0xd9) {
      out.push(data.subarray(i));
      break;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      out.push(data.subarray(i, i + 2));
      i += 2;
      continue;
    }
    if (i + 4 > data.length) throw broken('JPEG');
    const length = data.readUInt16BE(i + 2);
    const end = i + 2 + length;
    if (length < 2 || end > data.length) throw broken('JPEG');
    if (marker === 0xda) {
      // Start of scan: the rest (scan data, further scans, EOI) carries no metadata segments
      // that decoders read; keep it as it is.
      out.push(data.subarray(i));
      break;
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const keep = !isApp ? marker !== 0xfe : marker === 0xe0 || marker === 0xe2 || marker === 0xee;
    if (keep) out.push(data.subarray(i, end));
    i = end;
  }
  return Buffer.concat(out);
}

const PNG_DROP = new Set(['eXIf', 'tEXt', 'iTXt', 'zTXt']);

/** PNG: drops the text and EXIF chunks. */
export function stripPng(data: Buffer): Buffer {
  const out: Buffer[] = [data.subarray(0, 8)];
  let i = 8;
  while (i < data.length) {
    if (i + 12 > data.length) throw broken('PNG');
    const length = data.readUInt32BE(i);
    const type = data.toString('latin1', i + 4, i + 8);
    const end = i + 12 + length;
    if (end > data.length) throw broken('PNG');
    if (!PNG_DROP.has(type)) out.push(data.subarray(i, end));
    i = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(out);
}

/** WebP: drops EXIF and XMP chunks, clears their VP8X flags and rewrites the RIFF size. */
export function stripWebp(data: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let i = 12;
  while (i < data.length) {
    if (i + 8 > data.length) throw broken('WebP');
    const type = data.toString('latin1', i, i + 4);
    const size = data.readUInt32LE(i + 4);
    const end = i + 8 + size + (size % 2);
    if (i + 8 + size > data.length) throw broken('WebP');
    const chunk = Buffer.from(data.subarray(i, Math.min(end, data.length)));
    if (type === 'VP8X' && size >= 1) chunk[8] &= ~(0x08 | 0x04); // EXIF and XMP flags
    if (type !== 'EXIF' && type !== 'XMP ') chunks.push(chunk);
    i = end;
  }
  const body = Buffer.concat(chunks);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * Checks a photo by content against the type the client declared and returns it without
 * location metadata. 415 when it is not JPEG/PNG/WebP or lies about its type.
 */
export function sanitizeImage(
  data: Buffer,
  declaredType: string | undefined,
): { type: ImageType; data: Buffer } {
  const type = sniffImageType(data);
  if (!type)
    throw new UnsupportedMediaTypeError(
      'Photos must be JPEG, PNG or WebP images.',
      'upload.unsupported_type',
      {
        declaredType: declaredType ?? null,
      },
    );
  const declared = declaredType?.toLowerCase().split(';')[0].trim();
  const aliases: Record<string, ImageType> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg' };
  const normalized: string | undefined = declared ? (aliases[declared] ?? declared) : undefined;
  if (normalized && normalized !== 'application/octet-stream' && normalized !== type)
    throw new UnsupportedMediaTypeError(
      `The file says it is ${declared} but its content is ${type}.`,
      'upload.type_mismatch',
      { declaredType: declared, detectedType: type },
    );
  const stripped =
    type === 'image/jpeg' ? stripJpeg(data) : type === 'image/png' ? stripPng(data) : stripWebp(data);
  return { type, data: stripped };
}
