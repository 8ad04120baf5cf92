// Build-time compression: a .br and a .gz sibling next to every compressible file, which sirv
// (`brotli: true, gzip: true`) then serves by Accept-Encoding, so no request pays for compression.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|ico|xml|webmanifest|wasm)$/;
/** Brotli's best quality costs ~10 s per MB here; above this size quality 9 gives 90% of its gain in 1/15 of the time. */
const HIGHEST_QUALITY_UP_TO_BYTES = 1_000_000;

export interface PrecompressResult {
  files: number;
  bytes: number;
  brotliBytes: number;
  gzipBytes: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function isFresh(sibling: string, sourceMtime: number): Promise<boolean> {
  try {
    return (await stat(sibling)).mtimeMs >= sourceMtime;
  } catch {
    return false;
  }
}

/** Writes missing or stale siblings; a sibling that would not be smaller is not written (sirv then sends the original). */
export async function precompressFile(path: string): Promise<{ bytes: number; brotliBytes: number; gzipBytes: number }> {
  const source = await readFile(path);
  const { mtimeMs } = await stat(path);
  const [brotliBytes, gzipBytes] = await Promise.all([
    (async () => {
      if (await isFresh(`${path}.br`, mtimeMs)) return (await stat(`${path}.br`)).size;
      const compressed = await brotli(source, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: source.length <= HIGHEST_QUALITY_UP_TO_BYTES ? constants.BROTLI_MAX_QUALITY : 9,
          [constants.BROTLI_PARAM_LGWIN]: 24,
          [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      });
      if (compressed.length >= source.length) return source.length;
      await writeFile(`${path}.br`, compressed);
      return compressed.length;
    })(),
    (async () => {
      if (await isFresh(`${path}.gz`, mtimeMs)) return (await stat(`${path}.gz`)).size;
      const compressed = await gzipAsync(source, { level: constants.Z_BEST_COMPRESSION });
      if (compressed.length >= source.length) return source.length;
      await writeFile(`${path}.gz`, compressed);
      return compressed.length;
    })(),
  ]);
  return { bytes: source.length, brotliBytes, gzipBytes };
}

export async function precompressFiles(paths: string[]): Promise<PrecompressResult> {
  const results = await Promise.all(paths.filter((path) => COMPRESSIBLE.test(path)).map(precompressFile));
  return results.reduce<PrecompressResult>(
    (total, result) => ({
      files: total.files + 1,
      bytes: total.bytes + result.bytes,
      brotliBytes: total.brotliBytes + result.brotliBytes,
      gzipBytes: total.gzipBytes + result.gzipBytes,
    }),
    { files: 0, bytes: 0, brotliBytes: 0, gzipBytes: 0 },
  );
}

export async function precompressDirectory(dir: string): Promise<PrecompressResult> {
  return precompressFiles((await filesUnder(dir)).filter((path) => !/\.(br|gz)$/.test(path)));
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** Vite plugin: precompresses the build output once Vite has written it. */
export function precompressPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'taskfort:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const result = await precompressDirectory(outDir);
      this.info(
        `precompressed ${result.files} files: ${kilobytes(result.bytes)} → brotli ${kilobytes(result.brotliBytes)}, gzip ${kilobytes(result.gzipBytes)}`,
      );
    },
  };
}
