// Platform requests by route and status code, with their latency, on the worker's metric meter (one endpoint
// with Temporal's own metrics). Plugged into the platform client as its `onResponse` observer.
import { Runtime } from '@temporalio/worker';
import type { PlatformResponse } from '../hai/client';
import { METRICS } from './names';

export function platformRequestMetrics(): (r: PlatformResponse) => void {
  const meter = Runtime.instance().metricMeter;
  const requests = meter.createCounter(METRICS.platformRequests, '1', 'HTTP attempts to the Agents API');
  const latency = meter.createHistogram(METRICS.platformRequestSeconds, 'float', 's', 'latency of an HTTP attempt');
  return ({ route, status, durationMs }) => {
    const tags = { route, status_code: status === undefined ? 'error' : String(status) };
    requests.add(1, tags);
    latency.record(durationMs / 1000, tags);
  };
}
