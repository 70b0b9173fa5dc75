"""Every scheduled job is a command: slices of the one pipeline (``pipeline.STEPS``).

Each job runs its steps with the command context and returns a one-line summary for the
log; `nurture cycle` runs all of them in one go.
"""

from __future__ import annotations

from collections.abc import Callable

from agent.app import pipeline
from agent.app.context import Context

Job = Callable[[Context], str]

# job name → the pipeline steps it runs (in pipeline order)
JOB_STEPS: dict[str, tuple[str, ...]] = {
    "sync": ("sync", "learn"),  # pull mail and calendars; learn what became of the drafts
    "plan": ("learn", "plan", "drafts"),  # the day's plays into the mailbox
    "blocks": ("blocks",),  # place, defend and annotate this week's nurture blocks
    "digest": ("digest",),  # this week's digest to the rep, once, when it is due
}


def job(steps: tuple[str, ...]) -> Job:
    def run(context: Context) -> str:
        config = context.config()
        with context.store() as store:
            run = pipeline.Run(config, store, context.home, context.now, on_schedule=True)
            done = pipeline.run_steps(run, steps)
        return "; ".join(done.lines) or "nothing to do"

    return run


JOBS: dict[str, Job] = {name: job(steps) for name, steps in JOB_STEPS.items()}
