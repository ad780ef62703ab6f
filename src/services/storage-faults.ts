/** For the edges (http, cli), which do not import storage/: which failures are the storage's. */
export { isStorageFault } from '../storage/errors.js';
