/**
 * The entry of the CLI's bundle (`npm run build` writes it as dist/bundle/cli.js, with a chunk per module loaded only
 * when asked): what the bin needs, in one file, so an installed `start` loads a handful of files instead of ~120
 * modules. From source, the bin imports these modules one by one instead.
 */

export { prepareRsaKeys } from '../tokens/key-pool.ts';
export { boundOldGenerationGrowth, boundYoungGeneration } from './heap.ts';
export { main } from './main.ts';
