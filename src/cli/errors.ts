// Maps what can go wrong in a CLI command to one clear line and an exit code; with --json, to a JSON object.
import {
  NamespaceNotFoundError,
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { InvalidArgumentError } from 'commander';
import { InvalidInputError } from '../client';
import { SettingsError } from '../config';
import { HaiSettingsError } from '../hai/config';
import { HaiApiError } from '../hai/errors';
import { rootCause } from '../shared/root-cause';
import { EXIT } from './exit-codes';

/** gRPC codes that mean Temporal could not be reached (or did not answer), as opposed to answering "no". */
const UNREACHABLE = new Set<number>([/* UNAVAILABLE */ 14, /* DEADLINE_EXCEEDED */ 4]);

export function describeFailure(err: unknown): { message: string; code: number } {
  if (
    err instanceof InvalidInputError ||
    err instanceof SettingsError ||
    err instanceof HaiSettingsError ||
    err instanceof InvalidArgumentError
  ) {
    return { message: err.message, code: EXIT.usage };
  }
  if (err instanceof WorkflowNotFoundError && /already completed/.test(err.message)) {
    return { message: 'the session has already ended', code: EXIT.usage };
  }
  if (err instanceof WorkflowNotFoundError) {
    return { message: `no session workflow with id "${err.workflowId}"`, code: EXIT.usage };
  }
  if (err instanceof WorkflowUpdateFailedError) return { message: `refused: ${rootCause(err)}`, code: EXIT.usage };
  if (err instanceof WorkflowFailedError) {
    return { message: `session workflow failed: ${rootCause(err)}`, code: EXIT.agentFailed };
  }
  if (err instanceof HaiApiError) return { message: err.message, code: EXIT.connection };
  if (err instanceof NamespaceNotFoundError) {
    return {
      message: `Temporal refused the request: ${err.message} (set --namespace or TEMPORAL_NAMESPACE)`,
      code: EXIT.usage,
    };
  }
  if (err instanceof ServiceError) return temporalSaid(err);
  if (err instanceof Error && /ECONNREFUSED|connect|transport|unavailable/i.test(err.message)) {
    return { message: `cannot reach Temporal: ${rootCause(err)}`, code: EXIT.connection };
  }
  if (err instanceof Error && /rejected|validat/i.test(err.message)) return { message: err.message, code: EXIT.usage };
  return { message: err instanceof Error ? err.message : String(err), code: EXIT.connection };
}

/** Temporal answered with an error: say what it said; only "could not reach it" is exit 4. */
function temporalSaid(err: ServiceError): { message: string; code: number } {
  const grpc = (err.cause as { code?: number; details?: string } | undefined) ?? {};
  const said = grpc.details || rootCause(err);
  if (grpc.code === undefined || UNREACHABLE.has(grpc.code)) {
    return { message: `cannot reach Temporal: ${said}`, code: EXIT.connection };
  }
  return { message: `Temporal refused the request: ${said}`, code: EXIT.usage };
}

/** Prints a failure the way the command's caller asked: a JSON object on stdout with --json, else one line. */
export function reportFailure(err: unknown, json: boolean): number {
  const { message, code } = describeFailure(err);
  if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`);
  else console.error(`hai-temporal: ${message}`);
  return code;
}
