// Steering: signals and updates become commands, delivered to the platform one at a time and in the
// order they arrived. Updates return once the platform accepted their command; signals cannot be refused,
// so a bad signal is recorded as rejected and otherwise ignored.
import type { UpdateDefinition } from '@temporalio/common';
import { condition, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import { messageProblem } from '../shared/limits';
import {
  cancelSignal,
  cancelUpdate,
  endSignal,
  endUpdate,
  forceAnswerSignal,
  forceAnswerUpdate,
  pauseSignal,
  pauseUpdate,
  resumeSignal,
  resumeUpdate,
  sendSignal,
  sendUpdate,
  type SteerAck,
  type SteerCommand,
} from '../shared/session';

export interface QueuedCommand {
  command: SteerCommand;
  /** Present for updates: settles the caller's update. */
  settle?: { resolve: (ack: SteerAck) => void; reject: (err: unknown) => void };
}

/** Why a command cannot be taken now, or null when it can. */
export type CommandGate = (command: SteerCommand) => string | null;

function validateCommand(command: SteerCommand): string | null {
  return command.type === 'send' ? messageProblem(command.message) : null;
}

function sendCommand(payload: unknown): SteerCommand {
  const message = payload && typeof payload === 'object' ? (payload as { message?: unknown }).message : undefined;
  return { type: 'send', message: message as string };
}

function cancelCommand(payload: unknown): SteerCommand {
  const reason = payload && typeof payload === 'object' ? (payload as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? { type: 'cancel', reason } : { type: 'cancel' };
}

export class SteeringQueue {
  private readonly queue: QueuedCommand[] = [];
  private busy = false;

  constructor(
    private readonly gate: CommandGate,
    private readonly onRejected: (command: SteerCommand, reason: string) => void,
  ) {}

  /** Registers every steering signal and update of the session workflow. */
  register(): void {
    const bind = <A extends unknown[]>(
      signal: SignalDefinition<A>,
      update: UpdateDefinition<SteerAck, A>,
      toCommand: (...args: A) => SteerCommand,
    ) => {
      setHandler(signal, (...args: A) => this.signal(toCommand(...args)));
      setHandler(update, (...args: A) => this.enqueue(toCommand(...args)), {
        validator: (...args: A) => {
          const reason = this.refusal(toCommand(...args));
          if (reason) throw new Error(reason);
        },
      });
    };
    bind(sendSignal, sendUpdate, (payload) => sendCommand(payload));
    bind(pauseSignal, pauseUpdate, () => ({ type: 'pause' }));
    bind(resumeSignal, resumeUpdate, () => ({ type: 'resume' }));
    bind(forceAnswerSignal, forceAnswerUpdate, () => ({ type: 'forceAnswer' }));
    bind(cancelSignal, cancelUpdate, (payload) => cancelCommand(payload));
    bind(endSignal, endUpdate, () => ({ type: 'end' }));
  }

  get idle(): boolean {
    return this.queue.length === 0 && !this.busy;
  }

  /** Signals not yet delivered, to carry over a continue-as-new. */
  pendingSignals(): SteerCommand[] {
    return this.queue.filter((q) => !q.settle).map((q) => q.command);
  }

  restore(commands: SteerCommand[]): void {
    this.queue.push(...commands.map((command) => ({ command })));
  }

  /** Delivers queued commands forever, one at a time, once `ready()` says the session can take them. */
  async run(ready: () => boolean, deliver: (command: SteerCommand) => Promise<SteerAck>): Promise<never> {
    for (;;) {
      await condition(() => this.queue.length > 0 && ready());
      const item = this.queue.shift()!;
      this.busy = true;
      try {
        const reason = this.gate(item.command);
        if (reason) throw new Error(reason);
        const ack = await deliver(item.command);
        item.settle?.resolve(ack);
      } catch (err) {
        this.onRejected(item.command, err instanceof Error ? err.message : String(err));
        item.settle?.reject(err);
      } finally {
        this.busy = false;
      }
    }
  }

  /** Why the command would be refused now, or null. */
  refusal(command: SteerCommand): string | null {
    return validateCommand(command) ?? this.gate(command);
  }

  private signal(command: SteerCommand): void {
    const reason = this.refusal(command);
    if (reason) {
      log.warn('steering signal rejected', { command: command.type, reason });
      this.onRejected(command, reason);
      return;
    }
    this.queue.push({ command });
  }

  /** Queues a command and settles once the platform accepted it. */
  enqueue(command: SteerCommand): Promise<SteerAck> {
    return new Promise((resolve, reject) => this.queue.push({ command, settle: { resolve, reject } }));
  }
}
