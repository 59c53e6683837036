"""AWS::CloudWatch::Alarm, skipped by moto's CloudFormation.

The alarm is written with PutMetricAlarm and removed with DeleteAlarms in
moto's CloudWatch backend, so DescribeAlarms (query, JSON or, through
cloudwatch_cbor, RPC v2 CBOR) returns it. The template's properties carry the
PutMetricAlarm parameter names; metric-math ``Metrics`` are turned into moto's
query objects the way its PutMetricAlarm handler does. Ref is the alarm name;
GetAtt offers ``Arn``.
"""

from typing import Any

from moto.cloudwatch.models import (
    CloudWatchBackend,
    Dimension,
    Metric,
    MetricDataQuery,
    MetricStat,
    cloudwatch_backends,
)

from .cfn import ExtensionModel, boolean, register, tag_map


def _metric_data_queries(metrics: list[dict[str, Any]]) -> list[MetricDataQuery] | None:
    if not metrics:
        return None
    queries = []
    for query in metrics:
        stat = query.get("MetricStat")
        metric_stat = None
        if stat:
            metric = stat["Metric"]
            metric_stat = MetricStat(
                metric=Metric(
                    metric_name=metric.get("MetricName"),
                    namespace=metric.get("Namespace"),
                    dimensions=[Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions") or []],
                ),
                period=stat.get("Period"),
                stat=stat.get("Stat"),
                unit=stat.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=query.get("Id"),
                label=query.get("Label"),
                period=query.get("Period"),
                return_data=query.get("ReturnData"),
                expression=query.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


def _number(value: Any, kind: type) -> Any:
    return None if value is None else kind(value)


@register
class Alarm(ExtensionModel):
    cfn_type = "AWS::CloudWatch::Alarm"
    name_property = "AlarmName"
    create_only = ("AlarmName",)
    attributes = {"Arn": "arn"}

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def backend(self) -> CloudWatchBackend:
        return cloudwatch_backends[self.account_id][self.region_name]

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return self.backend.alarms[self.name].alarm_arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        alarm = cls(account_id, region_name, name)
        alarm.apply({}, properties)
        return alarm

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        dropped = [key for key in tag_map(old.get("Tags")) if key not in tag_map(new.get("Tags"))]
        if dropped:
            self.backend.untag_resource(self.arn, dropped)
        # PutMetricAlarm replaces the whole alarm, which is what an update of
        # any property means for CloudFormation too.
        self.backend.put_metric_alarm(
            name=self.name,
            namespace=new.get("Namespace"),
            metric_name=new.get("MetricName"),
            metric_data_queries=_metric_data_queries(list(new.get("Metrics") or [])),
            comparison_operator=new["ComparisonOperator"],
            evaluation_periods=int(new["EvaluationPeriods"]),
            datapoints_to_alarm=_number(new.get("DatapointsToAlarm"), int),
            period=_number(new.get("Period"), int),
            threshold=_number(new.get("Threshold"), float),
            statistic=new.get("Statistic"),
            extended_statistic=new.get("ExtendedStatistic"),
            description=new.get("AlarmDescription"),
            dimensions=list(new.get("Dimensions") or []),
            alarm_actions=list(new.get("AlarmActions") or []),
            ok_actions=list(new.get("OKActions") or []),
            insufficient_data_actions=list(new.get("InsufficientDataActions") or []),
            unit=new.get("Unit"),
            actions_enabled=boolean(new.get("ActionsEnabled"), default=True),
            treat_missing_data=new.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=new.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=new.get("ThresholdMetricId"),
            tags=[{"Key": k, "Value": v} for k, v in tag_map(new.get("Tags")).items()],
        )

    def delete(self, account_id: str, region_name: str) -> None:
        self.backend.delete_alarms([self.name])
