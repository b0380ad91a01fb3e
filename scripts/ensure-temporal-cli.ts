// npm postinstall: make sure a Temporal CLI is available so `npm start` and `npm test` work on a fresh clone.
import { ensureTemporalCli, MISSING_CLI_HELP } from '../src/temporal/cli-binary';

const path = ensureTemporalCli();
if (path) console.log(`Temporal CLI: ${path}`);
else console.warn(`${MISSING_CLI_HELP}\n@temporalio/testing will try to download it on first use.`);
