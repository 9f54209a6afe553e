"""Benchmark: queue drain time of a burst of jobs with KEDA-like scaling vs one fixed worker.

A real stack (NATS, S3, the API, one formatter; dev/stack.py) gets a burst of ``sleepy``
jobs (each run sleeps ``--ms``). Two passes over the same stack:

- **fixed**: one worker process, started before the burst, as without an autoscaler;
- **keda**: every ``pollingInterval`` the consumer's lag is read from the NATS monitoring
  endpoint the way KEDA's ``nats-jetstream`` scaler reads it, the replica count KEDA and the
  HPA would ask for is computed (bench/keda.py), and that many real worker processes
  (``python -m services.worker``) are started or stopped with SIGTERM (which drains).

Prints a timeline of the keda pass (lag, desired replicas, running workers) and, per pass, the
time from the first submit until the worker consumer's lag is 0 (queue drained) and until every
job is completed, plus worker-seconds used. The scaling times are compressed (seconds instead
of KEDA's tens of seconds) so the run stays short; the thresholds follow deploy/k8s (one
replica per ``SS_WORKER_SLOTS`` of lag).

    .venv/bin/python -m bench.scaling [--jobs 60] [--ms 1500] [--slots 2] [--max-replicas 4]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from bench.keda import Autoscaler, ScalingRule, Trigger, consumer_lag
from dev.stack import Client, Stack, csv_bytes, fresh_stack
from libs import names
from libs.bus.connection import connect

POOL = "embedded"


@dataclass
class Fleet:
    """Worker processes of one pool, grown and shrunk like a Deployment's replicas."""

    stack: Stack
    prefix: str
    extra: dict[str, str]
    names: list[str] = field(default_factory=list)
    #: (name, start monotonic, stop monotonic or None) of every worker ever started
    lifetimes: list[list[Any]] = field(default_factory=list)
    _starts: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _stops: list[asyncio.Task[None]] = field(default_factory=list)
    _counter: int = 0

    @property
    def replicas(self) -> int:
        """Replicas asked for (running or starting), as the Deployment's spec.replicas."""
        return len(self.names)

    @property
    def running(self) -> int:
        return sum(1 for t in self._starts.values() if t.done() and not t.exception())

    def scale_to(self, count: int) -> None:
        while len(self.names) < count:
            self._counter += 1
            name = f"{self.prefix}-{self._counter}"
            self.names.append(name)
            self._starts[name] = asyncio.create_task(
                asyncio.to_thread(self.stack.start_worker, name, **self.extra))
            self.lifetimes.append([name, time.monotonic(), None])
        while len(self.names) > count:
            # The ReplicaSet controller removes the youngest pods first.
            self._stops.append(asyncio.create_task(self._stop(self.names.pop())))

    async def _stop(self, name: str) -> None:
        await self._starts.pop(name)
        await asyncio.to_thread(self.stack.kill, name, signal.SIGTERM)
        for life in self.lifetimes:
            if life[0] == name:
                life[2] = time.monotonic()

    async def started(self) -> None:
        """Wait until every worker asked for so far is ready."""
        await asyncio.gather(*self._starts.values())

    async def stopped(self) -> None:
        """Wait until every worker told to stop has exited."""
        await asyncio.gather(*self._stops)

    async def close(self) -> None:
        self.scale_to(0)
        await self.stopped()

    def worker_seconds(self, since: float, until: float) -> float:
        """Seconds of worker processes alive between ``since`` and ``until`` (the cost)."""
        return sum(max(0.0, min(stop or until, until) - max(start, since))
                   for _, start, stop in self.lifetimes)


@dataclass
class Sample:
    t: float
    lag: int | None
    desired: int
    running: int


def pool_trigger(stack: Stack) -> Trigger:
    """The worker pool's trigger as a deployment would write it (the account's id from the
    operator's folder)."""
    return Trigger(f"127.0.0.1:{stack.nats.monitor_port}", stack.nats.auth.account,
                   names.WORK_STREAM, names.worker_consumer(POOL))


async def autoscale(fleet: Fleet, rule: ScalingRule, trigger: Trigger,
                    idle: asyncio.Event, burst_over: asyncio.Event, timeline: list[Sample],
                    began: float) -> None:
    """Poll the lag and set the fleet's size every polling interval; ``idle`` is set while
    the fleet is at its minimum. Returns once the burst is over and the fleet is back there."""
    scaler = Autoscaler(rule)
    while not (burst_over.is_set() and idle.is_set()):
        now = time.monotonic()
        lag = await asyncio.to_thread(consumer_lag, trigger)
        fleet.scale_to(scaler.desired(now - began, lag, fleet.replicas))
        timeline.append(Sample(now - began, lag, fleet.replicas, fleet.running))
        if fleet.replicas <= rule.min_replicas:
            idle.set()
        else:
            idle.clear()
        await asyncio.sleep(rule.polling_interval_s)


@dataclass
class Burst:
    """Figures of one burst: seconds from the first submit."""

    drained_s: float
    completed_s: float
    completions: dict[str, int]
    states: dict[str, str]


async def burst(stack: Stack, jobs: int, ms: int, trigger: Trigger) -> Burst:
    """Submit ``jobs`` sleepy jobs at once; wait until the run queue is drained and every job
    completed; count ``completed`` events per job (exactly one each is the contract)."""
    client = Client(stack.api_url)
    bus = await connect(stack.nats.url, name="bench-scaling", creds=stack.nats.creds("admin"))
    completions: dict[str, int] = {}

    async def on_completed(msg: Any) -> None:
        job_id = msg.subject.split(".")[3]
        completions[job_id] = completions.get(job_id, 0) + 1

    await bus.nc.subscribe(names.COMPLETED_EVENTS, cb=on_completed)
    data = csv_bytes(5)
    began = time.monotonic()
    ids = await asyncio.gather(*(client.run("sleepy", {"var": "x", "ms": ms}, data, ["csv"])
                                 for _ in range(jobs)))
    drained = completed = 0.0
    deadline = began + 60 + jobs * ms / 1000
    while not (drained and completed):
        assert time.monotonic() < deadline, "burst did not finish"
        now = time.monotonic() - began
        lag = await asyncio.to_thread(consumer_lag, trigger)
        if not drained and lag == 0:
            drained = now
        if not completed and all(completions.get(i, 0) for i in ids):
            completed = now
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # a duplicate completed event would arrive by now
    states = {i: str((await client.job(i))["state"]) for i in ids}
    await bus.close()
    await client.close()
    return Burst(drained, completed, {i: completions.get(i, 0) for i in ids}, states)


@dataclass
class Pass:
    name: str
    result: Burst
    worker_seconds: float
    peak_replicas: int
    final_replicas: int
    timeline: list[Sample]


async def fixed_pass(stack: Stack, jobs: int, ms: int, slots: int) -> Pass:
    trigger = pool_trigger(stack)
    fleet = Fleet(stack, "fixed", {"SS_WORKER_SLOTS": str(slots)})
    fleet.scale_to(1)
    await fleet.started()
    began = time.monotonic()
    result = await burst(stack, jobs, ms, trigger)
    seconds = fleet.worker_seconds(began, time.monotonic())
    await fleet.close()
    return Pass("fixed, 1 worker", result, seconds, 1, 0, [])


async def keda_pass(stack: Stack, jobs: int, ms: int, slots: int, rule: ScalingRule) -> Pass:
    """The burst with the autoscaler running, sent once the pool idles at its minimum (zero
    for a pool like Stata's); after it, the autoscaler goes on until the fleet is back there
    (scale-down is part of what is shown)."""
    trigger = pool_trigger(stack)
    fleet = Fleet(stack, "keda", {"SS_WORKER_SLOTS": str(slots)})
    # The Deployment's first pod creates the durable consumer KEDA reads, then goes with
    # the cooldown when minReplicaCount is 0 (deploy/k8s/components/stata: the same).
    fleet.scale_to(max(rule.min_replicas, 1))
    await fleet.started()
    idle, burst_over, timeline = asyncio.Event(), asyncio.Event(), []
    began = time.monotonic()
    scaler = asyncio.create_task(
        autoscale(fleet, rule, trigger, idle, burst_over, timeline, began))
    await asyncio.wait_for(idle.wait(), rule.cooldown_period_s + 60)
    await fleet.stopped()
    sent = time.monotonic()
    result = await burst(stack, jobs, ms, trigger)
    burst_over.set()
    await asyncio.wait_for(scaler, rule.cooldown_period_s + rule.scale_down_window_s + 60)
    peak = max((s.desired for s in timeline), default=fleet.replicas)
    final = fleet.replicas
    await fleet.stopped()
    seconds = fleet.worker_seconds(sent, time.monotonic())
    await fleet.close()
    return Pass("keda-like", result, seconds, peak, final, timeline)


def report(jobs: int, ms: int, slots: int, rule: ScalingRule, passes: list[Pass]) -> None:
    print(f"burst: {jobs} sleepy jobs of {ms} ms, {slots} slots per worker; keda-like rule: "
          f"lagThreshold {rule.lag_threshold}, activation {rule.activation_lag_threshold}, "
          f"replicas {rule.min_replicas}..{rule.max_replicas}, polling {rule.polling_interval_s}"
          f" s, cooldown {rule.cooldown_period_s} s, scale-down window "
          f"{rule.scale_down_window_s} s")
    for p in passes:
        if p.timeline:
            print(f"{p.name} timeline (s, lag = pending + ack pending, desired, running):")
            for s in p.timeline:
                print(f"  {s.t:7.1f} {'-' if s.lag is None else s.lag:>5} {s.desired:>4} "
                      f"{s.running:>4}")
    print(f"{'pass':<18}{'drained s':>10}{'completed s':>13}{'peak':>6}{'worker-s':>10}"
          f"{'jobs ok':>9}")
    for p in passes:
        ok = sum(1 for s in p.result.states.values() if s == "succeeded")
        print(f"{p.name:<18}{p.result.drained_s:>10.1f}{p.result.completed_s:>13.1f}"
              f"{p.peak_replicas:>6}{p.worker_seconds:>10.1f}{ok:>6}/{jobs}")
    fixed, keda = passes[0].result, passes[1].result
    print(f"queue drain time keda-like / fixed = {keda.drained_s / fixed.drained_s:.2f}")


def stack_settings() -> dict[str, str]:
    return {"SS_LOG_LEVEL": "WARNING", "SS_SHUTDOWN_GRACE_S": "5", "SS_ACK_WAIT_S": "10",
            "SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000"}


async def run(jobs: int, ms: int, slots: int, rule: ScalingRule) -> list[Pass]:
    with fresh_stack("ss-bench-scaling-", stack_settings()) as stack:
        stack.start_api()
        stack.start_formatter()
        passes = [await fixed_pass(stack, jobs, ms, slots),
                  await keda_pass(stack, jobs, ms, slots, rule)]
    return passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--ms", type=int, default=1500)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--min-replicas", type=int, default=1)
    parser.add_argument("--max-replicas", type=int, default=4)
    parser.add_argument("--polling", type=float, default=1.0)
    parser.add_argument("--cooldown", type=float, default=5.0)
    parser.add_argument("--scale-down-window", type=float, default=3.0)
    args = parser.parse_args()
    rule = ScalingRule(lag_threshold=args.slots, min_replicas=args.min_replicas,
                       max_replicas=args.max_replicas, polling_interval_s=args.polling,
                       cooldown_period_s=args.cooldown,
                       scale_down_window_s=args.scale_down_window, scale_up_period_s=args.polling)
    passes = asyncio.run(run(args.jobs, args.ms, args.slots, rule))
    report(args.jobs, args.ms, args.slots, rule, passes)


if __name__ == "__main__":
    main()
