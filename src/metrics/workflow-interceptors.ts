// Workflow interceptor module (bundled with the workflows; see WORKFLOW_INTERCEPTOR_MODULES in src/worker.ts):
// records the session metrics from what every session workflow already does, so the workflow itself stays free of
// them, adds the platform session id to the workflow's log lines and a summary to each activity (Web UI). Deterministic: it reads the workflow's
// input, result, search attributes and clock; Temporal drops metrics while a workflow replays.
import {
  ContinueAsNew,
  metricMeter,
  workflowInfo,
  type WorkflowInterceptors,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { SESSION_WORKFLOW_TYPE, type SessionResult } from '../shared/session';
import { HAI_AWAITING, HAI_SESSION_ID } from '../temporal/search-attributes';
import { activitySummary } from '../webui/activity-summaries';
import { METRICS } from './names';

const agentOf = (input: unknown): string => {
  const agent = (input as { agent?: unknown } | undefined)?.agent;
  if (typeof agent === 'string') return agent;
  if (agent && typeof agent === 'object') return 'inline';
  return 'default';
};

/** One model's name when the session used one, else `mixed` (the result carries only the total cost). */
const modelOf = (result: SessionResult): string => {
  const names = [...new Set((result.usage ?? []).map((u) => u.name))];
  return names.length === 1 ? names[0]! : names.length === 0 ? 'none' : 'mixed';
};

function recordEnd(agent: string, result: SessionResult): void {
  metricMeter.createCounter(METRICS.sessionsEnded).add(1, { agent, outcome: result.status });
  const tokens = metricMeter.createCounter(METRICS.tokens);
  for (const u of result.usage ?? []) {
    if (u.input_tokens > 0) tokens.add(u.input_tokens, { model: u.name, kind: 'input' });
    if (u.output_tokens > 0) tokens.add(u.output_tokens, { model: u.name, kind: 'output' });
    if (u.reasoning_tokens > 0) tokens.add(u.reasoning_tokens, { model: u.name, kind: 'reasoning' });
  }
  if (typeof result.costUsd === 'number') {
    metricMeter
      .createHistogram(METRICS.costUsd, 'float', 'USD')
      .record(result.costUsd, { agent, model: modelOf(result) });
  }
}

export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  if (workflowInfo().workflowType !== SESSION_WORKFLOW_TYPE) return {};
  let waiting: { kind: string; since: number } | undefined;
  return {
    inbound: [
      {
        async execute(input, next) {
          const agent = agentOf(input.args[0]);
          if (!workflowInfo().continuedFromExecutionRunId) {
            metricMeter.createCounter(METRICS.sessionsStarted).add(1, { agent });
          }
          try {
            const result = (await next(input)) as SessionResult;
            recordEnd(agent, result);
            return result;
          } catch (err) {
            if (!(err instanceof ContinueAsNew)) {
              metricMeter.createCounter(METRICS.sessionsEnded).add(1, { agent, outcome: 'failed' });
            }
            throw err;
          }
        },
      },
    ],
    outbound: [
      {
        // A one-line summary per activity, shown in the Web UI's history and timeline.
        scheduleActivity(input, next) {
          const summary = input.options.summary ?? activitySummary(input.activityType, input.args);
          return next(summary ? { ...input, options: { ...input.options, summary } } : input);
        },
        scheduleLocalActivity(input, next) {
          const summary = input.options.summary ?? activitySummary(input.activityType, input.args);
          return next(summary ? { ...input, options: { ...input.options, summary } } : input);
        },
        getLogAttributes(input, next) {
          const sessionId = workflowInfo().typedSearchAttributes.get(HAI_SESSION_ID);
          return next(sessionId ? { ...input, sessionId } : input);
        },
      },
    ],
    internals: [
      {
        // After each activation: a change of HaiAwaiting starts or ends a wait for a person.
        concludeActivation(input, next) {
          const kind = workflowInfo().typedSearchAttributes.get(HAI_AWAITING) || undefined;
          if (kind !== waiting?.kind) {
            if (waiting) {
              metricMeter
                .createHistogram(METRICS.personWaitSeconds, 'float', 's')
                .record(Math.max(0, (Date.now() - waiting.since) / 1000), { kind: waiting.kind });
            }
            waiting = kind ? { kind, since: Date.now() } : undefined;
          }
          return next(input);
        },
      },
    ],
  };
};
