"""Scenarios run with the official `hai-agents` Python SDK against the simulator.

Usage: python scenarios.py <scenario>. The SDK is pointed at the simulator by `HAI_BASE_URL` (the origin: the SDK
adds `/api/v2/...` to every path itself) and reads its key from `HAI_API_KEY`, exactly as a user's script would.
Each scenario prints ONE JSON line with what it observed; the vitest file asserts on it. Nothing here fakes or patches
the SDK: only its public API is used, and its own long-polls are the only waits.
"""

from __future__ import annotations

import json
import os
import sys
import typing
import uuid

import pydantic
from hai_agents import Client
from hai_agents.core.api_error import ApiError

AGENT = "h/web-surfer-flash"
# A long turn that the scenario itself ends (pause, force_answer, cancel): at 20 ms a step it would run for minutes.
LONG_TURN = '[sim {"steps":5000}]'


def sim(**directive: typing.Any) -> str:
    """The simulator's script directive for one turn, e.g. sim(steps=2, answer="x")."""
    return f"[sim {json.dumps(directive)}]"


def client() -> Client:
    # The key comes from HAI_API_KEY, as the SDK documents; a short timeout keeps a hung request from stalling CI.
    return Client(base_url=os.environ["HAI_BASE_URL"], timeout=30)


def event(e: typing.Any) -> typing.Dict[str, typing.Any]:
    """An SDK event as plain JSON: {type, data}."""
    dumped = e.model_dump(mode="json") if hasattr(e, "model_dump") else dict(e)
    return {"type": dumped.get("type"), "data": dumped.get("data") or {}}


def label(e: typing.Dict[str, typing.Any]) -> str:
    """`AgentEvent:answer_event`, `AgentCompletionEvent:finished`, `ActiveStateChangeEvent:idle`, ..."""
    data = e["data"]
    detail = data.get("kind") or data.get("reason") or data.get("state") or data.get("status")
    if data.get("kind") == "flow_event":
        detail = f"flow_event:{data.get('flow')}"
    return f"{e['type']}:{detail}" if detail else e["type"]


def labels(events: typing.Iterable[typing.Any]) -> typing.List[str]:
    return [label(event(e)) for e in events]


def result_summary(r: typing.Any) -> typing.Dict[str, typing.Any]:
    answer = r.answer
    if isinstance(answer, pydantic.BaseModel):
        answer = {"model": type(answer).__name__, "value": answer.model_dump(mode="json")}
    return {
        "id": r.id,
        "status": r.status,
        "answer": answer,
        "outcome": r.outcome,
        "error": r.error,
        "errorCode": r.error_code,
        "nextFromIndex": r.next_from_index,
        "events": labels(r.events),
    }


def error_summary(err: ApiError) -> typing.Dict[str, typing.Any]:
    """The SDK's typed error: its class, status code and parsed body (a model for declared errors such as 422)."""
    body = err.body.model_dump(mode="json") if isinstance(err.body, pydantic.BaseModel) else err.body
    return {"class": type(err).__name__, "statusCode": err.status_code, "body": body}


def wait_until_working(handle: typing.Any) -> int:
    """Follows the SDK stream until the agent has taken a step; returns how many events that was."""
    seen = 0
    for e in handle.stream(wait_for_seconds=5, timeout_seconds=20):
        seen += 1
        if event(e)["data"].get("kind") == "policy_event":
            return seen
    raise RuntimeError("the session settled before the agent took a step")


def drain(handle: typing.Any, cursor: int) -> int:
    """Reads every event already past `cursor` without waiting; returns the new cursor."""
    while True:
        changes = handle.changes(from_index=cursor, wait_for_seconds=0)
        if changes is None or not changes.new_events:
            return cursor
        cursor += len(changes.new_events)


# --- scenarios -----------------------------------------------------------------------------------------------------


def one_shot() -> typing.Dict[str, typing.Any]:
    c = client()
    r = c.run_session(agent=AGENT, messages="What is the answer? " + sim(steps=2, answer="forty-two"))
    session = c.sessions.get_session(r.id)
    return {
        **result_summary(r),
        "latestAnswer": session.latest_answer,
        "finishedAt": session.finished_at is not None,
        "steps": c.sessions.get_session_status(r.id).steps,
    }


class Forecast(pydantic.BaseModel):
    city: str
    high_c: int
    sunny: bool


def structured_answer() -> typing.Dict[str, typing.Any]:
    c = client()
    answer = {"city": "Paris", "high_c": 21, "sunny": True}
    r = c.run_session(agent=AGENT, messages="Weather in Paris? " + sim(steps=1, answer=answer), answer_schema=Forecast)
    request = c.sessions.get_session(r.id).request
    overrides = request.overrides or {}
    return {
        **result_summary(r),
        "answerIsModel": isinstance(r.answer, Forecast),
        "sentFormatTitle": (overrides.get("agent.answer_format") or {}).get("title"),
    }


def custom_tools() -> typing.Dict[str, typing.Any]:
    calls: typing.List[typing.Dict[str, typing.Any]] = []

    def lookup_price(sku: str) -> dict:
        """Price of a product, in euro cents."""
        calls.append({"sku": sku})
        return {"sku": sku, "cents": 1999}

    c = client()
    directive = sim(steps=1, tools=[{"tool_name": "lookup_price", "args": {"sku": "A-17"}}])
    r = c.run_session(agent=AGENT, messages="Price of A-17? " + directive, tools=[lookup_price])
    parsed = json.loads(r.answer) if isinstance(r.answer, str) else None
    return {**result_summary(r), "calls": calls, "answerParsed": parsed}


def failure() -> typing.Dict[str, typing.Any]:
    c = client()
    r = c.run_session(
        agent=AGENT,
        messages="Open the intranet " + sim(steps=1, fail="Browser crashed", failCode="environment_error"),
    )
    return result_summary(r)


def pause_resume_send() -> typing.Dict[str, typing.Any]:
    c = client()
    h = c.start_session(agent=AGENT, messages="Count slowly " + LONG_TURN)
    cursor = wait_until_working(h)

    h.pause()
    paused = h.status()
    cursor = drain(h, cursor)
    # The SDK's own long-poll: a paused agent emits nothing, so a 1 s wait past the cursor comes back empty (204).
    quiet = h.changes(from_index=cursor, wait_for_seconds=1)
    still = h.status()

    h.resume()
    resumed = h.status().status

    # A message to a paused session resumes it; its directive re-plans the turn, which then answers.
    h.pause()
    paused_again = h.status().status
    h.send_message("Stop counting and report " + sim(steps=1, answer="counted to a few"))
    after_send = h.status().status
    r = h.wait_for_completion(timeout_seconds=20)
    return {
        "pausedStatus": paused.status,
        "pausedSteps": paused.steps,
        "quietWhilePaused": quiet is None,
        "stillPaused": still.status,
        "stepsAfterQuiet": still.steps,
        "resumedStatus": resumed,
        "pausedAgain": paused_again,
        "statusAfterSend": after_send,
        "result": result_summary(r),
    }


def force_answer() -> typing.Dict[str, typing.Any]:
    c = client()
    h = c.start_session(agent=AGENT, messages="Find every flight to Lisbon " + LONG_TURN)
    wait_until_working(h)
    h.force_answer()
    r = h.wait_for_completion(timeout_seconds=20)
    return result_summary(r)


def stream() -> typing.Dict[str, typing.Any]:
    c = client()
    h = c.start_session(agent=AGENT, messages="Summarise the news " + sim(steps=3, answer="all quiet"))
    streamed = [event(e) for e in h.stream(timeout_seconds=20)]
    history = c.sessions.list_session_events(h.id, size=200)
    changes = h.changes(from_index=0, include_events=False)
    return {
        "events": [label(e) for e in streamed],
        "historyEvents": labels(history.items or []),
        "historyTotal": history.total,
        "answerEvent": next((e["data"] for e in streamed if e["data"].get("kind") == "answer_event"), None),
        "status": h.status().status,
        "answer": changes.answer if changes is not None else None,
    }


def interactive() -> typing.Dict[str, typing.Any]:
    c = client()
    h = c.start_session(
        agent=AGENT,
        messages="Plan a trip to Rome " + sim(steps=1, answer="Day 1: Colosseum"),
        idle_timeout_s=3,
    )
    first = h.wait_for_completion(timeout_seconds=20)

    h.send_message("Add a second day " + sim(steps=2, answer="Day 2: Vatican"))
    second = h.wait_for_completion(from_index=first.next_from_index, timeout_seconds=20)
    idle_again = h.status().status
    latest = h.get().latest_answer

    # With until="terminal" the stream stays open across idle; it ends when the idle window lapses (3 s).
    tail = [event(e) for e in h.stream(from_index=second.next_from_index, until="terminal", timeout_seconds=20)]
    return {
        "first": result_summary(first),
        "second": result_summary(second),
        "statusAfterSecond": idle_again,
        "latestAnswer": latest,
        "tail": [label(e) for e in tail],
        "finalStatus": h.status().status,
    }


def cancel() -> typing.Dict[str, typing.Any]:
    c = client()
    h = c.start_session(agent=AGENT, messages="Crawl the whole web " + LONG_TURN)
    wait_until_working(h)
    h.cancel()
    r = h.wait_for_completion(timeout_seconds=20)
    status_after = h.status()
    second_cancel = "ok"
    try:
        h.cancel()
    except ApiError as err:
        second_cancel = f"{type(err).__name__} {err.status_code}"
    return {
        "result": result_summary(r),
        "statusAfter": status_after.status,
        "finishedAt": h.get().finished_at is not None,
        "secondCancel": second_cancel,
    }


def idempotent_create() -> typing.Dict[str, typing.Any]:
    c = client()
    key = os.environ["SDK_IDEMPOTENCY_KEY"]
    message = "Book a table " + sim(steps=1, answer="booked")
    r = c.run_session(agent=AGENT, messages=message, idempotency_key=key)
    # The same create again, as a retrying script would send it: the original session comes back.
    replay = c.sessions.create_session(agent=AGENT, messages=message, idempotency_key=key)
    conflict: typing.Optional[typing.Dict[str, typing.Any]] = None
    try:
        c.sessions.create_session(agent=AGENT, messages="Book a different table", idempotency_key=key)
    except ApiError as err:
        conflict = error_summary(err)
    return {
        "result": result_summary(r),
        "replayId": replay.id,
        "replayStatus": replay.status.status,
        "conflict": conflict,
    }


def reads_and_errors() -> typing.Dict[str, typing.Any]:
    c = client()
    group = f"sdk-{uuid.uuid4()}"
    r = c.run_session(agent=AGENT, messages="List it " + sim(steps=1, answer="listed"), group_id=group)
    listed = c.sessions.list_sessions(group_id=group)
    quota = c.sessions.get_session_quota()
    agents = c.agents.list_agents()
    missing: typing.Optional[typing.Dict[str, typing.Any]] = None
    try:
        c.session(str(uuid.uuid4())).status()
    except ApiError as err:
        missing = error_summary(err)
    invalid: typing.Optional[typing.Dict[str, typing.Any]] = None
    try:
        c.sessions.create_session(agent=AGENT, messages="x", max_steps=0)
    except ApiError as err:
        invalid = error_summary(err)
    # /changes with nothing past the cursor is a 204, which the SDK maps to None.
    past_end = c.session(r.id).changes(from_index=r.next_from_index, wait_for_seconds=0)
    return {
        "id": r.id,
        "listed": [{"id": s.id, "status": s.status, "group": group} for s in listed.items or []],
        "listedTotal": listed.total,
        "quota": {"limit": quota.limit, "active": quota.active, "available": quota.available},
        "agents": [a.name for a in agents.items or []],
        "missing": missing,
        "invalid": invalid,
        "pastEndIsNone": past_end is None,
    }


SCENARIOS: typing.Dict[str, typing.Callable[[], typing.Dict[str, typing.Any]]] = {
    "one_shot": one_shot,
    "structured_answer": structured_answer,
    "custom_tools": custom_tools,
    "failure": failure,
    "pause_resume_send": pause_resume_send,
    "force_answer": force_answer,
    "stream": stream,
    "interactive": interactive,
    "cancel": cancel,
    "idempotent_create": idempotent_create,
    "reads_and_errors": reads_and_errors,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        sys.exit(f"usage: scenarios.py <{'|'.join(SCENARIOS)}>")
    print(json.dumps(SCENARIOS[sys.argv[1]](), default=str))
