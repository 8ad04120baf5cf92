// `npm run build` step: GraphiQL's assets as hashed files in dist/graphiql with .br/.gz siblings
// (see server/graphql/graphiql.ts). Skipped when the manifest already matches the installed
// render-graphiql and is precompressed: the files only change when that package does.
import { pathToFileURL } from 'node:url';
import { GRAPHIQL_ASSETS_DIR, pruneGraphiQLFiles, readGraphiQLManifest, writeGraphiQLFiles, writeGraphiQLManifest } from '../../server/graphql/graphiql.js';
import { precompressFiles } from './precompress.js';

export async function buildGraphiQLAssets(dir = GRAPHIQL_ASSETS_DIR): Promise<string> {
  if (readGraphiQLManifest(dir)?.precompressed) return `GraphiQL assets in ${dir} are up to date`;
  const startedAt = performance.now();
  const { manifest, files } = writeGraphiQLFiles(dir);
  const result = await precompressFiles(files);
  writeGraphiQLManifest({ ...manifest, precompressed: true }, dir);
  pruneGraphiQLFiles(files, dir);
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  return `GraphiQL assets: ${result.files} files, ${megabytes(result.bytes)} → brotli ${megabytes(result.brotliBytes)}, gzip ${megabytes(result.gzipBytes)} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await buildGraphiQLAssets());
}
