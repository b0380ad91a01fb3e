// Custom tools: functions users register with the worker and sessions offer to the agent. The agent's
// calls run as Temporal activities (retries, timeouts, heartbeats); results go back to the platform.
import { z } from 'zod';

export interface ToolContext {
  sessionId: string;
  callId: string | null;
  /** Attempt of this call, from 1: a tool that is not idempotent can tell a retry. */
  attempt: number;
  signal: AbortSignal;
}

export interface Tool<Args = unknown> {
  name: string;
  description: string;
  /** JSON Schema of the arguments, as the platform's `ToolDefinition.input_schema`. */
  inputSchema: Record<string, unknown>;
  run(args: Args, ctx: ToolContext): Promise<unknown> | unknown;
}

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Defines a tool; a zod schema for its arguments also validates them before `run` sees them. */
export function defineTool<S extends z.ZodType>(tool: {
  name: string;
  description: string;
  input: S;
  run(args: z.output<S>, ctx: ToolContext): Promise<unknown> | unknown;
}): Tool;
export function defineTool(tool: Tool): Tool;
export function defineTool(tool: Tool | (Omit<Tool, 'inputSchema'> & { input: z.ZodType })): Tool {
  if (!TOOL_NAME.test(tool.name)) throw new Error(`tool name "${tool.name}" must match ${TOOL_NAME}`);
  if (!tool.description.trim()) throw new Error(`tool "${tool.name}" needs a description`);
  if (!('input' in tool)) return tool;
  const { input, run, ...rest } = tool;
  return {
    ...rest,
    inputSchema: z.toJSONSchema(input) as Record<string, unknown>,
    run: (args, ctx) => run(input.parse(args), ctx),
  };
}

/** The built-in tool whose result is a person's reply; the workflow itself handles it. */
export const ASK_HUMAN: ToolDefinition = {
  name: 'ask_human',
  description:
    'Ask a person a question and wait for their reply. Use it when you need information or a decision only a person can give.',
  input_schema: {
    type: 'object',
    properties: { question: { type: 'string', description: 'The question, complete and self-contained.' } },
    required: ['question'],
  },
};

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Tool[] = []) {
    for (const tool of tools) {
      if (tool.name === ASK_HUMAN.name || this.tools.has(tool.name))
        throw new Error(`tool "${tool.name}" is registered twice`);
      this.tools.set(tool.name, tool);
    }
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** The platform definitions of the named tools; throws naming any the worker does not have. */
  definitions(names: string[]): ToolDefinition[] {
    const unknown = names.filter((n) => n !== ASK_HUMAN.name && !this.tools.has(n));
    if (unknown.length > 0) {
      const known = [...this.names(), ASK_HUMAN.name].join(', ');
      throw new Error(`unknown tool(s) ${unknown.join(', ')}: this worker registers ${known}`);
    }
    return names.map((n) => {
      if (n === ASK_HUMAN.name) return ASK_HUMAN;
      const tool = this.tools.get(n)!;
      return { name: tool.name, description: tool.description, input_schema: tool.inputSchema };
    });
  }
}
