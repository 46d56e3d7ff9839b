/** @deprecated Moved to src/io/staging.ts (issue 16: every file read and write in io/); kept so branches that import it still build. */
export { openStaging, type Staging } from '../io/staging.js';
