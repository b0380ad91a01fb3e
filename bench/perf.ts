// Performance benchmark of issue 13: in one run per scenario, a plain in-process loop over the platform (the
// baseline), the project (dev server, simulator and worker each in a child process) and the floor, side by side.
//
//   npm run bench                         # (a), (b), (d), (e) in turn, at the sizes
//   npm run bench -- --scenario c [--sessions 10000 --steps 600]
//   npm run bench -- --scenario a --sessions 40 --steps 3 --step-ms 200
//
// Scenarios: (a) windowed, (b) burst, (c) capacity, (d) cost per session, (e) recovery; see BENCHMARKS.md.
// Each prints a table and writes its JSON to bench/results/.
import { capacity } from './perf/capacity';
import { costPerSession } from './perf/cost';
import { chosenScenarios, type Config, configFor, OUT_DIR, type Scenario } from './perf/options';
import { recovery } from './perf/recovery';
import { printReport, type ScenarioReport, writeReport } from './perf/report';
import { Stack } from './perf/stack';
import { burst, windowed } from './perf/throughput';

const RUNS: Record<Scenario, (cfg: Config) => Promise<ScenarioReport>> = {
  a: windowed,
  b: burst,
  c: capacity,
  d: costPerSession,
  e: recovery,
};

const stopAll = () => Promise.all([...Stack.live].map((stack) => stack.stop()));
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

async function main(): Promise<void> {
  for (const scenario of chosenScenarios()) {
    const cfg = configFor(scenario);
    console.log(`\n== scenario ${scenario}: ${JSON.stringify(cfg)}`);
    try {
      const report = await RUNS[scenario](cfg);
      printReport(report);
      console.log(`written to ${writeReport(report, OUT_DIR)}`);
      if (!report.ok) process.exitCode = 1;
    } catch (err) {
      console.error(`scenario ${scenario} failed:`, err);
      process.exitCode = 1;
    }
  }
}

await main();
// A scenario stopped by its timeout may leave sessions of its plain loop retrying against a simulator that is gone.
process.exit();
