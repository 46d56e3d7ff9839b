/**
 * When a workload next starts a task (SPEC §1 `runs` edges: control from the start of its next task).
 * An agent runs its own tasks; a tool runs the tasks whose steps go via it. A node the workload
 * declares no task for runs continuously: its next task is now.
 */
import type { CompiledModel } from '../model/compile.js';
import { lastOccurrenceAt, occurrenceCount, occurrenceStart } from '../workload/occurrence.js';
import { workspaceOf } from './workspace.js';

/** Task indices each node runs (agent: its tasks; tool: tasks with a step via it), in task order (cached in the thread's workspace). */
function tasksOf(model: CompiledModel): ReadonlyMap<number, readonly number[]> {
  const ws = workspaceOf(model);
  let map = ws.tasksByNode;
  if (map === null) {
    const built = new Map<number, number[]>();
    const add = (node: number, task: number): void => {
      const list = built.get(node);
      if (list === undefined) built.set(node, [task]);
      else if (list[list.length - 1] !== task) list.push(task);
    };
    model.scenario.workload.forEach((task, t) => {
      add(model.indexOf.get(task.agent)!, t);
      for (const step of task.steps) if (step.via !== null) add(model.indexOf.get(step.via)!, t);
    });
    map = built;
    ws.tasksByNode = map;
  }
  return map;
}

/** The first task start of `node` at or after `t` (`t` itself when it declares no task; Infinity when none is left before the horizon). */
export function nextTaskStart(model: CompiledModel, node: number, t: number): number {
  const tasks = tasksOf(model).get(node);
  if (tasks === undefined) return t;
  const horizon = model.scenario.horizonMs;
  let next = Number.POSITIVE_INFINITY;
  for (const index of tasks) {
    const task = model.scenario.workload[index]!;
    let k = lastOccurrenceAt(task, t);
    if (k < 0 || occurrenceStart(task, k) < t) k++;
    if (k < occurrenceCount(task, horizon)) next = Math.min(next, occurrenceStart(task, k));
  }
  return next;
}
