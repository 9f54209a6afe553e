"""The KEDA-like scaling simulation (bench/scaling.py, bench/keda.py), at a small size.

The replica rule is checked against hand-worked ticks of KEDA's and the HPA's behaviour; the
lag is read from the real NATS monitoring endpoint and compared with JetStream's own consumer
state; and a burst runs against real NATS, S3, API, formatter and worker processes that the
autoscaler starts from zero and stops again, with every job run and completed exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil

from bench.keda import Autoscaler, ScalingRule, Trigger, consumer_lag
from bench.scaling import keda_pass, stack_settings
from dev.servers import NatsServer, free_port
from dev.stack import fresh_stack
from libs import names
from libs.bus.connection import connect
from libs.bus.provision import ensure_consumer, ensure_work_stream
from libs.settings import Settings


def _ticks(rule: ScalingRule, lags: list[int], current: int, step: float = 1.0) -> list[int]:
    scaler, counts = Autoscaler(rule), []
    for i, lag in enumerate(lags):
        current = scaler.desired(i * step, lag, current)
        counts.append(current)
    return counts


def test_replicas_follow_lag_over_slots_within_min_and_max() -> None:
    rule = ScalingRule(lag_threshold=2, min_replicas=1, max_replicas=5, scale_down_window_s=0,
                       scale_up_pods=100)
    # ceil(lag / 2), at least 1 replica, at most 5.
    assert _ticks(rule, [0, 3, 8, 40, 9, 4, 1, 0], current=1) == [1, 2, 4, 5, 5, 2, 1, 1]


def test_hpa_tolerance_keeps_the_count_within_ten_percent() -> None:
    rule = ScalingRule(lag_threshold=10, max_replicas=10, scale_down_window_s=0)
    # 4 replicas, lag 42: ratio 1.05 (within 10 %) -> 4, though ceil(42 / 10) is 5.
    assert _ticks(rule, [42, 45], current=4) == [4, 5]


def test_activation_wakes_a_pool_at_zero_and_cooldown_puts_it_back() -> None:
    rule = ScalingRule(lag_threshold=2, activation_lag_threshold=0, min_replicas=0,
                       max_replicas=4, cooldown_period_s=3, scale_down_window_s=0)
    # KEDA first activates (0 -> 1, t=1); the HPA then asks for ceil(6 / 2) = 3; the queue
    # empties at t=3, last active at t=2: one replica until the cooldown (3 s) ends at t=5.
    assert _ticks(rule, [0, 6, 6, 0, 0, 0, 0, 0], current=0) == [0, 1, 3, 1, 1, 0, 0, 0]


def test_activation_threshold_keeps_a_short_queue_at_zero() -> None:
    rule = ScalingRule(lag_threshold=2, activation_lag_threshold=3, min_replicas=0)
    assert _ticks(rule, [1, 3, 4], current=0) == [0, 0, 1]


def test_scale_down_waits_for_the_stabilization_window() -> None:
    rule = ScalingRule(lag_threshold=1, min_replicas=1, max_replicas=10, scale_down_window_s=2)
    # The highest recommendation of the last 2 s wins when scaling down.
    assert _ticks(rule, [4, 0, 0, 0, 0], current=4) == [4, 4, 4, 1, 1]


def test_scale_up_is_rate_limited_like_the_hpa() -> None:
    rule = ScalingRule(lag_threshold=1, min_replicas=1, max_replicas=100, scale_up_pods=4,
                       scale_up_percent=100, scale_up_period_s=15)
    # From 1: at most max(1 + 4, 2 x 1) = 5 within one period, whatever the lag.
    assert _ticks(rule, [50, 50], current=1) == [5, 5]


def test_a_failing_read_changes_nothing() -> None:
    assert Autoscaler(ScalingRule(lag_threshold=2)).desired(0.0, None, 3) == 3


async def test_lag_read_like_keda_is_pending_plus_ack_pending(nats_server: NatsServer) -> None:
    creds = nats_server.creds("admin")
    settings = Settings(nats_url=nats_server.url, nats_creds=creds)
    bus = await connect(nats_server.url, name="test-scaling-lag", creds=creds)
    pool = f"lag{free_port()}"
    consumer = names.worker_consumer(pool)
    monitor = f"127.0.0.1:{nats_server.monitor_port}"
    trigger = Trigger(monitor, nats_server.auth.account, names.WORK_STREAM, consumer)
    try:
        await ensure_work_stream(bus, settings)
        await ensure_consumer(bus, settings, consumer, names.run_subject(pool))
        for _ in range(5):
            await bus.js.publish(names.run_subject(pool), b"{}")
        sub = await bus.js.pull_subscribe_bind(consumer, stream=names.WORK_STREAM)
        fetched = await sub.fetch(2, timeout=5)
        info = await bus.js.consumer_info(names.WORK_STREAM, consumer)
        assert (info.num_pending, info.num_ack_pending) == (3, 2)
        assert await asyncio.to_thread(consumer_lag, trigger) == 5
        for msg in fetched:
            await msg.ack_sync()
        assert await asyncio.to_thread(consumer_lag, trigger) == 3
        assert await asyncio.to_thread(consumer_lag, Trigger(
            monitor, nats_server.auth.account, names.WORK_STREAM, "nobody")) is None
    finally:
        with contextlib.suppress(Exception):
            await bus.js.delete_consumer(names.WORK_STREAM, consumer)
        await bus.close()


async def test_a_burst_scales_real_workers_from_zero_and_back() -> None:
    rule = ScalingRule(lag_threshold=2, min_replicas=0, max_replicas=2, polling_interval_s=0.5,
                       cooldown_period_s=2, scale_down_window_s=1, scale_up_period_s=0.5)
    jobs = 8
    with fresh_stack("ss-test-scaling-", stack_settings()) as stack:
        stack.start_api()
        stack.start_formatter()
        result = await keda_pass(stack, jobs, ms=300, slots=2, rule=rule)
        leftover = [name for name in stack.procs if name.startswith("keda-")]
    shutil.rmtree(stack.root, ignore_errors=True)
    assert sorted(result.result.states.values()) == ["succeeded"] * jobs
    assert sorted(result.result.completions.values()) == [1] * jobs
    # The pool went to zero before the burst (nothing queued), was woken by it, asked for
    # ceil(8 / 2) = 4 replicas clamped to 2, and was back at zero with no process left.
    desired = [s.desired for s in result.timeline]
    assert desired[0] == 0
    assert max(desired) == 2
    assert result.final_replicas == 0
    assert leftover == []
