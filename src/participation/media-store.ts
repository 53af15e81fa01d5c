/**
 * Where citizens' photos live. A store keeps bytes under a name derived from their content
 * (SHA-256 + extension), so the same photo uploaded twice is stored once and names cannot
 * be guessed. Two stores ship: this file's filesystem store (the default, under
 * `<DATA_DIR>/uploads`) and `S3MediaStore` (s3-media-store.ts) for an S3-compatible bucket
 * when `UPLOAD_S3_ENDPOINT` is set (see docs/open311.md).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXTENSIONS, type ImageType, sanitizeImage } from './image-sanitizer.ts';
import type { UploadedPhoto } from './multipart-upload.ts';

export interface StoredMedia {
  /** Content name: `<sha256>.<ext>`. */
  name: string;
  type: ImageType;
  size: number;
}

export interface MediaStore {
  put(data: Buffer, type: ImageType): Promise<StoredMedia>;
  /** The bytes of a stored name, or null. */
  get(name: string): Promise<{ data: Buffer; type: ImageType } | null>;
}

const NAME = /^[0-9a-f]{64}\.(jpg|png|webp)$/;
const TYPE_OF_EXT: Record<string, ImageType> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Whether a string is a media name a store hands out. */
export const isMediaName = (name: string) => NAME.test(name);

/** Stores files in a directory (`<DATA_DIR>/uploads` by default), written atomically. */
export class FileSystemMediaStore implements MediaStore {
  constructor(readonly dir: string) {}

  async put(data: Buffer, type: ImageType): Promise<StoredMedia> {
    const name = `${createHash('sha256').update(data).digest('hex')}.${EXTENSIONS[type]}`;
    const file = path.join(this.dir, name);
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(this.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, data, { mode: 0o640 });
      await rename(tmp, file);
    }
    return { name, type, size: data.length };
  }

  async get(name: string): Promise<{ data: Buffer; type: ImageType } | null> {
    if (!isMediaName(name)) return null;
    try {
      const data = await readFile(path.join(this.dir, name));
      return { data, type: TYPE_OF_EXT[name.split('.')[1]] };
    } catch {
      return null;
    }
  }
}

/**
 * Checks an uploaded photo by content (415 when it is not an image or lies about its type),
 * removes its location metadata and stores it under its content name.
 */
export async function storePhoto(store: MediaStore, photo: UploadedPhoto): Promise<StoredMedia> {
  const clean = sanitizeImage(photo.data, photo.declaredType);
  return store.put(clean.data, clean.type);
}
