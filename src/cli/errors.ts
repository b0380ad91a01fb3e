// Maps what can go wrong in a CLI command to one clear line and an exit code.
import {
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
import { EXIT } from './exit-codes';

function innermost(err: unknown): unknown {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current;
}

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
  if (err instanceof WorkflowUpdateFailedError) {
    return { message: `refused: ${(innermost(err) as Error).message}`, code: EXIT.usage };
  }
  if (err instanceof WorkflowFailedError) {
    return { message: `session workflow failed: ${(innermost(err) as Error).message}`, code: EXIT.agentFailed };
  }
  if (err instanceof HaiApiError) return { message: err.message, code: EXIT.connection };
  if (
    err instanceof ServiceError ||
    (err instanceof Error && /connect|ECONNREFUSED|transport|unavailable/i.test(err.message))
  ) {
    const inner = innermost(err) as Error;
    return { message: `cannot reach Temporal: ${inner.message}`, code: EXIT.connection };
  }
  if (err instanceof Error && /rejected|validat/i.test(err.message)) return { message: err.message, code: EXIT.usage };
  return { message: err instanceof Error ? err.message : String(err), code: EXIT.connection };
}
