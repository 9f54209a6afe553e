"""What KEDA's ``nats-jetstream`` trigger and the HPA it drives would do, as plain code.

The metric is read exactly as KEDA v2.20 reads it (pkg/scalers/nats_jetstream_scaler.go): one
GET of the NATS monitoring endpoint ``/jsz?acc=<accountID>&config=true&consumers=true`` and, for
the trigger's stream and consumer, ``num_pending + num_ack_pending`` (queued plus delivered and
not yet acknowledged, i.e. running). The trigger is active while that lag is above
``activationLagThreshold``.

The replica count follows the controllers, one decision per ``pollingInterval``:

- 0 -> 1 (or ``minReplicaCount``) when the trigger becomes active: KEDA's own activation;
- N -> 0 when the trigger has been inactive for ``cooldownPeriod`` and ``minReplicaCount`` is 0;
- otherwise the HPA's rule for an ``AverageValue`` external metric: ``ceil(lag /
  lagThreshold)``, unchanged within the HPA's 10 % tolerance, clamped to [max(min, 1), max];
  scale-up at most +100 % or +4 pods per 15 s (the HPA's default policies), and scale-down to
  the highest recommendation of the last ``stabilizationWindowSeconds``.
"""

from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field

from libs.bus.auth.operator import ACCOUNT_NAME


def jsz_url(monitor: str, account_id: str) -> str:
    """The URL KEDA's trigger reads: ``acc`` is the trigger's ``accountID`` (``account`` when
    no id is given; ``$G`` on a server without accounts)."""
    query = urllib.parse.urlencode({"acc": account_id, "config": "true", "consumers": "true"})
    return f"http://{monitor}/jsz?{query}"


@dataclass(frozen=True)
class Trigger:
    """The metadata of one ``nats-jetstream`` trigger that the lag depends on."""

    endpoint: str  #: natsServerMonitoringEndpoint (host:port)
    account_id: str  #: accountID
    stream: str  #: stream
    consumer: str  #: consumer
    account: str = ACCOUNT_NAME  #: account


def consumer_lag(trigger: Trigger) -> int | None:
    """``num_pending + num_ack_pending`` of the consumer, or None when it does not exist (KEDA
    then reports an error and the HPA keeps the current count). Like KEDA, the account is
    matched by id or by name: with JWT accounts ``/jsz`` only answers for the account's public
    key, and lists it under its name (``SS``)."""
    with urllib.request.urlopen(jsz_url(trigger.endpoint, trigger.account_id),
                                timeout=5) as resp:
        body = json.load(resp)
    for acc in body.get("account_details") or []:
        if acc.get("id") != trigger.account_id and acc.get("name") != trigger.account:
            continue
        for detail in acc.get("stream_detail") or []:
            if detail.get("name") != trigger.stream:
                continue
            for cons in detail.get("consumer_detail") or []:
                if cons.get("name") == trigger.consumer:
                    return int(cons["num_pending"]) + int(cons["num_ack_pending"])
    return None


@dataclass(frozen=True)
class ScalingRule:
    """One ScaledObject's knobs (KEDA names in the comments); times in seconds."""

    lag_threshold: int  #: lagThreshold
    activation_lag_threshold: int = 0  #: activationLagThreshold
    min_replicas: int = 0  #: minReplicaCount
    max_replicas: int = 100  #: maxReplicaCount
    polling_interval_s: float = 30.0  #: pollingInterval
    cooldown_period_s: float = 300.0  #: cooldownPeriod
    #: advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds
    scale_down_window_s: float = 300.0
    #: the HPA's default scale-up policies: the larger of +100 % and +4 pods per period
    scale_up_percent: int = 100
    scale_up_pods: int = 4
    scale_up_period_s: float = 15.0
    #: --horizontal-pod-autoscaler-tolerance
    tolerance: float = 0.1


@dataclass
class Autoscaler:
    """Replica decisions over time for one rule; feed it one observation per polling tick."""

    rule: ScalingRule
    _last_active: float = -math.inf
    _downs: deque[tuple[float, int]] = field(default_factory=deque)
    _ups: deque[tuple[float, int]] = field(default_factory=deque)

    def desired(self, now: float, lag: int | None, current: int) -> int:
        """The replica count after this tick, given the lag read now and the current count."""
        rule = self.rule
        if lag is None:  # the scaler errors: nothing changes
            return current
        active = lag > rule.activation_lag_threshold
        if active:
            self._last_active = now
        if current == 0:
            return max(rule.min_replicas, 1) if active else rule.min_replicas
        if (rule.min_replicas == 0 and not active
                and now - self._last_active >= rule.cooldown_period_s):
            return 0
        return self._hpa(now, lag, current)

    def _hpa(self, now: float, lag: int, current: int) -> int:
        rule = self.rule
        ratio = lag / (rule.lag_threshold * current)
        raw = current if abs(ratio - 1.0) <= rule.tolerance else math.ceil(
            lag / rule.lag_threshold)
        raw = min(max(raw, rule.min_replicas, 1), rule.max_replicas)
        self._downs.append((now, raw))
        while self._downs and now - self._downs[0][0] > rule.scale_down_window_s:
            self._downs.popleft()
        if raw > current:
            return min(raw, self._up_limit(now, current))
        return min(current, max(r for _, r in self._downs))

    def _up_limit(self, now: float, current: int) -> int:
        rule = self.rule
        while self._ups and now - self._ups[0][0] > rule.scale_up_period_s:
            self._ups.popleft()
        base = self._ups[0][1] if self._ups else current
        limit = max(base + rule.scale_up_pods, math.ceil(base * (1 + rule.scale_up_percent / 100)))
        self._ups.append((now, current))
        return limit
