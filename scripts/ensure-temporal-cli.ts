// Run by scripts/ensure-installed.mjs before `npm start` and `npm test`: make sure a Temporal CLI is available.
import { ensureTemporalCli, findTemporalCli, MISSING_CLI_HELP } from '../src/temporal/cli-binary';

if (!findTemporalCli()) {
  const path = ensureTemporalCli();
  if (path) console.log(`Temporal CLI: ${path}`);
  else console.warn(`${MISSING_CLI_HELP}\n@temporalio/testing will try to download it on first use.`);
}
