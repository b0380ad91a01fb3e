// (d) cost per session: a one-shot session of `steps` fast steps, one of `longSteps`, and an interactive one, each
// alone (the plain loop's, then the project's), so every counter's difference is that one session's.
//
// The interactive session stands in for "a one-hour interactive session": an idle timeout of `idleTimeoutS` (an hour
// by default), `turns` follow-up messages sent with SessionClient.send, each after `gapS` of idling, then `end`.
// Its cost grows with turns, which are all here; what grows with the hour itself is the watch's heartbeats (about one
// per minute reaches the server) and a new watch every 20 minutes of its budget: run with --gap-s 900 for the hour.
import type { HaiClient } from '../../src/hai/client';
import { sleep } from '../support';
import { applied, cost, type Cost, histories, result, totalActions } from './histories';
import type { Config } from './options';
import { PlainSession, runPlain } from './plain-loop';
import type { Row, ScenarioReport } from './report';
import { LOOP_KEY, Stack } from './stack';
import { answerOf, range, taskOf, until, within } from './workload';

/** What the plainest workflow that runs one activity and returns costs: the floor of following a session in one. */
const ONE_ACTIVITY: Cost = {
  events: 11,
  workflowTasks: 2,
  activityTasks: 1,
  actions: { 'workflow started': 1, 'activity attempts': 1 },
};

interface Kind {
  name: string;
  floor: Cost | null;
  plain(hai: HaiClient): Promise<boolean>;
  /** Runs the session as workflow `workflowId`; true when it ended with the expected answers. */
  project(stack: Stack, workflowId: string): Promise<boolean>;
}

export async function costPerSession(cfg: Config): Promise<ScenarioReport> {
  const gapMs = cfg.gapS * 1000;
  const oneShot = (steps: number): Kind => ({
    name: `one-shot, ${steps} steps`,
    floor: ONE_ACTIVITY,
    plain: async (hai) => (await runPlain(hai, taskOf(0, steps, cfg.stepMs))).answer === answerOf(0),
    project: async (stack, workflowId) => {
      const handle = await stack.sessions.start({ task: taskOf(0, steps, cfg.stepMs) }, { workflowId });
      const r = await handle.result();
      return r.status === 'completed' && r.answer === answerOf(0);
    },
  });
  const turnTask = (turn: number) => taskOf(0, cfg.steps, cfg.stepMs, turn);
  const interactive: Kind = {
    name: `interactive, ${cfg.turns} follow-ups`,
    floor: null,
    plain: async (hai) => {
      const session = await PlainSession.create(hai, turnTask(0), cfg.idleTimeoutS);
      const answers = [await session.wait()];
      for (const turn of range(cfg.turns)) {
        await sleep(gapMs);
        await session.send(turnTask(turn + 1));
        answers.push(await session.wait(true));
      }
      await sleep(gapMs);
      await session.cancel();
      return answers.every((a, turn) => a === answerOf(0, turn));
    },
    project: async (stack, workflowId) => {
      const { sessions } = stack;
      const handle = await sessions.start({ task: turnTask(0), idleTimeoutS: cfg.idleTimeoutS }, { workflowId });
      // Waits on the history, not with queries: a query is a billable action too, and not the session's own.
      const idled = (times: number) =>
        until(async () => {
          const [events] = await histories(stack.client, [workflowId]);
          return applied(events!).filter((a) => a.status === 'idle').length >= times;
        }, 250);
      for (const turn of range(cfg.turns)) {
        await idled(turn + 1);
        await sleep(gapMs);
        await sessions.send(workflowId, turnTask(turn + 1));
      }
      await idled(cfg.turns + 1);
      await sleep(gapMs);
      await sessions.end(workflowId);
      const r = await handle.result();
      return r.turns.length === cfg.turns + 1 && r.turns.every((t, turn) => t.answer === answerOf(0, turn));
    },
  };

  const stack = await Stack.start(cfg);
  try {
    const hai = stack.platform(LOOP_KEY);
    const heartbeats = async () => (await stack.serverOps()).RecordActivityTaskHeartbeat ?? 0;
    const rows: Row[] = [];
    const notes: string[] = [];
    const details: Record<string, unknown> = {};
    let ok = true;
    for (const [k, kind] of [oneShot(cfg.steps), oneShot(cfg.longSteps), interactive].entries()) {
      const r0 = await stack.platformRequests();
      const t0 = Date.now();
      const plainOk = await within(cfg.timeoutS, `${kind.name}, plain loop`, kind.plain(hai));
      const t1 = Date.now();
      const [r1, h1] = [await stack.platformRequests(), await heartbeats()];
      const workflowId = `${stack.run}-${k}`;
      const projectOk = await within(cfg.timeoutS, `${kind.name}, project`, kind.project(stack, workflowId));
      const t2 = Date.now();
      const [r2, h2] = [await stack.platformRequests(), await heartbeats()];
      const [events] = await histories(stack.client, [workflowId]);
      const spent = cost(events!);
      spent.actions.heartbeats = h2 - h1;
      ok &&= plainOk && projectOk && result(events!) !== undefined;

      const row = (metric: string, project: number, floor: number | null, baseline: number | null = null) =>
        rows.push({ metric: `${kind.name}: ${metric}`, baseline, project, floor });
      row('history events', spent.events, kind.floor?.events ?? null);
      row('workflow tasks', spent.workflowTasks, kind.floor?.workflowTasks ?? null);
      row('activity tasks', spent.activityTasks, kind.floor?.activityTasks ?? null);
      row('billable actions', totalActions(spent), kind.floor ? totalActions(kind.floor) : null);
      row('platform requests', r2 - r1, null, r1 - r0);
      const actions = Object.entries(spent.actions).map(([a, count]) => `${a} ${count}`);
      notes.push(
        `${kind.name}: ${actions.join(', ')}; ${((t1 - t0) / 1000).toFixed(1)} s loop, ${((t2 - t1) / 1000).toFixed(1)} s project${plainOk && projectOk ? '' : '; WRONG ANSWERS'}`,
      );
      details[kind.name] = { ...spent, plainOk, projectOk, loopS: (t1 - t0) / 1000, projectS: (t2 - t1) / 1000 };
    }
    await hai.close();
    notes.push(
      "billable actions: Temporal Cloud's definition (docs.temporal.io/cloud/actions), counted from the history, plus the heartbeats that reached the server",
      'floor: the plainest workflow that runs one activity and returns (11 events, 2 workflow tasks, 1 activity task, 2 actions)',
      `logs in ${stack.dir}`,
    );
    return {
      scenario: 'd',
      title: `cost per session (steps of ${cfg.stepMs} ms; interactive: idle timeout ${cfg.idleTimeoutS} s, ${cfg.gapS} s between messages)`,
      config: cfg,
      rows,
      notes,
      details,
      ok,
    };
  } finally {
    await stack.stop();
  }
}
