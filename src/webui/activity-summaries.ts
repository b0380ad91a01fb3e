// One-line summaries of the session's activities for the Web UI's event history and timeline ("follow session
// 01J… from event 12", "approval: notify a person"), derived from each activity's input. Workflow-safe.

type Args = Record<string, unknown> | undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

const agentOf = (input: unknown): string => {
  const agent = (input as { agent?: unknown } | undefined)?.agent;
  return typeof agent === 'string' ? agent : agent ? 'an inline agent' : 'the default agent';
};

const COMMANDS: Record<string, string> = {
  send: 'send a message to',
  pause: 'pause',
  resume: 'resume',
  forceAnswer: 'force an answer from',
  cancel: 'cancel',
  end: 'end',
};

export function activitySummary(activityType: string, args: unknown[]): string | undefined {
  const a = args[0] as Args;
  const session = str(a?.sessionId) ? `session ${str(a?.sessionId)}` : 'the session';
  switch (activityType) {
    case 'createSession':
      return `create the platform session (${agentOf(a?.input)})`;
    case 'watchSession':
      return `follow ${session} from event ${typeof a?.cursor === 'number' ? a.cursor : 0} (status ${str(a?.status) ?? 'unknown'})`;
    case 'steerSession': {
      const type = str((a?.command as Args)?.type) ?? 'steer';
      return `${COMMANDS[type] ?? type} ${session}`;
    }
    case 'runTool':
      return `run tool ${str((a?.call as Args)?.tool_name) ?? '?'} for ${session}`;
    case 'submitToolResults':
      return `return tool results to ${session}`;
    case 'notify':
      return `notify a person: ${str((a?.awaiting as Args)?.kind) ?? 'waiting'}`;
    default:
      return undefined;
  }
}
