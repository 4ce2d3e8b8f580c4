"""Predictions take turns on the event loop: one starts per iteration, in arrival order, a lone one at once."""

from __future__ import annotations

import asyncio

from shared_model.loop_turns import LoopTurns


async def started_in_turns(turns: LoopTurns, names: str) -> list[str]:
    """Start a prediction per name at once; each logs its start, and the loop logs what ran after it."""
    log: list[str] = []

    async def predict(name: str) -> None:
        await turns.take()
        log.append(name)
        asyncio.get_running_loop().call_soon(log.append, f"after {name}")

    await asyncio.gather(*(predict(name) for name in names))
    await asyncio.sleep(0)
    return log


def test_one_prediction_starts_per_iteration_in_arrival_order():
    log = asyncio.run(started_in_turns(LoopTurns(), "ABC"))
    # Without turns all three start in one iteration: ["A", "B", "C", "after A", "after B", "after C"].
    assert log == ["A", "after A", "B", "after B", "C", "after C"]


def test_a_lone_prediction_starts_at_once():
    async def scenario() -> bool:
        turns = LoopTurns()
        started = asyncio.ensure_future(turns.take())
        await asyncio.sleep(0)  # one step: a lone prediction needs no more
        return started.done()

    assert asyncio.run(scenario())


def test_a_waiter_cancelled_gives_its_turn_on():
    async def scenario() -> list[str]:
        turns = LoopTurns()
        log: list[str] = []

        async def predict(name: str) -> None:
            await turns.take()
            log.append(name)

        first, cancelled, last = (asyncio.ensure_future(predict(name)) for name in "ABC")
        await asyncio.sleep(0)
        assert turns.waiting == 2
        cancelled.cancel()
        await asyncio.gather(first, last)
        return log

    assert asyncio.run(scenario()) == ["A", "C"]


def test_turns_start_afresh_on_a_new_loop():
    turns = LoopTurns()

    async def leave_a_turn_given() -> None:
        await turns.take()
        asyncio.get_running_loop().create_task(turns.take())  # given its turn in the loop's last iteration

    loop = asyncio.new_event_loop()
    loop.run_until_complete(leave_a_turn_given())
    loop.close()  # before the turn could be handed on
    # A test client runs each app on a loop of its own; a turn left on a closed loop must not hold the next one up.
    assert asyncio.run(asyncio.wait_for(started_in_turns(turns, "AB"), 1.0)) == [
        "A",
        "after A",
        "B",
        "after B",
    ]
