import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hasLocationTrace,
  jpegWithGps,
  pngWithMetadata,
  webpWithMetadata,
} from '../../test/participation/images.ts';
import { sanitizeImage, sniffImageType, stripJpeg, stripPng, stripWebp } from './image-sanitizer.ts';

describe('image sanitizer', () => {
  it('recognizes JPEG, PNG and WebP by their bytes only', () => {
    assert.equal(sniffImageType(jpegWithGps()), 'image/jpeg');
    assert.equal(sniffImageType(pngWithMetadata()), 'image/png');
    assert.equal(sniffImageType(webpWithMetadata()), 'image/webp');
    assert.equal(sniffImageType(Buffer.from('GIF89a......')), null);
    assert.equal(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null);
  });

  it('JPEG: EXIF with GPS, XMP and comments go; JFIF, tables, frame and scan data stay byte for byte', () => {
    const input = jpegWithGps();
    assert.ok(hasLocationTrace(input), 'the fixture carries GPS');
    const out = stripJpeg(input);
    assert.ok(!hasLocationTrace(out), out.toString('latin1'));
    assert.deepEqual([...out.subarray(0, 2)], [0xff, 0xd8]);
    assert.deepEqual([...out.subarray(-2)], [0xff, 0xd9]);
    assert.ok(out.includes(Buffer.from('JFIF\0', 'latin1')));
    const scan = input.subarray(input.indexOf(Buffer.from([0xff, 0xda])));
    assert.ok(out.subarray(out.length - scan.length).equals(scan), 'scan data untouched');
    assert.ok(out.includes(Buffer.from([0xff, 0xdb])) && out.includes(Buffer.from([0xff, 0xc0])));
  });

  it('PNG: tEXt, iTXt, zTXt and eXIf chunks go; IHDR, IDAT, IEND stay', () => {
    const input = pngWithMetadata();
    assert.ok(hasLocationTrace(input));
    const out = stripPng(input);
    assert.ok(!hasLocationTrace(out));
    for (const kept of ['IHDR', 'IDAT', 'IEND']) assert.ok(out.includes(Buffer.from(kept, 'latin1')), kept);
  });

  it('WebP: EXIF and XMP chunks go, VP8X flags cleared and the RIFF size rewritten', () => {
    const input = webpWithMetadata();
    assert.ok(hasLocationTrace(input));
    const out = stripWebp(input);
    assert.ok(!hasLocationTrace(out));
    assert.equal(out.readUInt32LE(4), out.length - 8);
    const vp8x = out.indexOf(Buffer.from('VP8X', 'latin1'));
    assert.equal(out[vp8x + 8] & 0x0c, 0);
    assert.ok(out.includes(Buffer.from('VP8L', 'latin1')));
  });

  it('refuses files that are not images or lie about their type (415)', () => {
    assert.throws(() => sanitizeImage(Buffer.from('%PDF-1.7 ...'), 'image/jpeg'), {
      code: 'upload.unsupported_type',
    });
    assert.throws(() => sanitizeImage(pngWithMetadata(), 'image/jpeg'), { code: 'upload.type_mismatch' });
    assert.throws(() => sanitizeImage(jpegWithGps(), 'image/webp'), { kind: 'unsupported_media_type' });
    assert.equal(sanitizeImage(jpegWithGps(), 'image/jpg').type, 'image/jpeg');
    assert.equal(sanitizeImage(webpWithMetadata(), 'application/octet-stream').type, 'image/webp');
  });

  it('a damaged JPEG is refused, not passed through', () => {
    const broken = jpegWithGps().subarray(0, 30);
    assert.throws(() => stripJpeg(broken), { code: 'upload.damaged_image' });
  });
});
