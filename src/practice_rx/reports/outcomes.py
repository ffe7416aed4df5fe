"""Outcome change per measure and score: baseline to the latest follow-up.

A case (a referral) counts for a measure when it has a baseline and a follow-up (a
review or the closing measure) of the same measure version, and the latest such
follow-up was answered in the period. The change is follow-up minus baseline, score by
score, averaged over those cases in the database (for a score where lower is better,
such as ONS4 anxiety, a fall is an improvement). Cases of the period's practices only.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, true

from practice_rx.domain.casework import MeasureOccasion
from practice_rx.measures import builtin_measures
from practice_rx.reports.json_rows import as_number, object_items, object_value
from practice_rx.reports.period import ReportPeriod, at_practices
from practice_rx.reports.tables import Column, Table
from practice_rx.storage.caseload_models import MeasureDefinitionRecord, MeasureResult
from practice_rx.storage.models import Referral

FOLLOW_UPS = (MeasureOccasion.REVIEW.value, MeasureOccasion.CLOSING.value)


def outcome_change(connection: Connection, period: ReportPeriod, backend: str) -> Table:
    ranked = (
        select(MeasureResult.referral_id, MeasureResult.measure_id,
               MeasureResult.measure_version, MeasureResult.scores,
               func.row_number().over(
                   partition_by=(MeasureResult.referral_id, MeasureResult.measure_id,
                                 MeasureResult.measure_version),
                   order_by=(MeasureResult.answered_on.desc(), MeasureResult.id.desc()),
               ).label("recency"))
        .where(MeasureResult.occasion.in_(FOLLOW_UPS),
               MeasureResult.answered_on >= period.from_date,
               MeasureResult.answered_on <= period.to_date)
        .subquery("follow_up"))
    baseline = (select(MeasureResult.referral_id, MeasureResult.measure_id,
                       MeasureResult.measure_version, MeasureResult.scores)
                .join(Referral, Referral.id == MeasureResult.referral_id)
                .where(MeasureResult.occasion == MeasureOccasion.BASELINE.value,
                       at_practices(period))
                .subquery("baseline"))
    base_score = object_items(baseline.c.scores, backend).alias("base_score")
    follow_value = as_number(object_value(ranked.c.scores, base_score.c.key, backend))
    base_value = as_number(base_score.c.value)
    change = follow_value - base_value
    statement = (
        select(baseline.c.measure_id, baseline.c.measure_version, base_score.c.key,
               func.count(), func.avg(base_value), func.avg(follow_value),
               func.avg(change))
        .select_from(baseline)
        .join(ranked, (ranked.c.referral_id == baseline.c.referral_id)
              & (ranked.c.measure_id == baseline.c.measure_id)
              & (ranked.c.measure_version == baseline.c.measure_version)
              & (ranked.c.recency == 1))
        .join(base_score, true())
        .where(follow_value.is_not(None))  # a score the follow-up has too
        .group_by(baseline.c.measure_id, baseline.c.measure_version, base_score.c.key)
        .order_by(baseline.c.measure_id, baseline.c.measure_version, base_score.c.key))
    titles = {(measure.id, measure.version): measure.title for measure in builtin_measures()}
    titles |= {(measure, version): title for measure, version, title in connection.execute(
        select(MeasureDefinitionRecord.measure_id, MeasureDefinitionRecord.version,
               MeasureDefinitionRecord.title))}
    rows = tuple(
        (measure, version, titles.get((measure, version), measure), key, people,
         _round(base), _round(follow_up), _round(mean_change))
        for measure, version, key, people, base, follow_up, mean_change
        in connection.execute(statement))
    return Table("outcome_change", "Outcome change from baseline to latest follow-up",
                 (Column("measure", "Measure"), Column("version", "Version"),
                  Column("title", "Title"), Column("score", "Score"),
                  Column("people", "Cases with both", "count"),
                  Column("mean_baseline", "Mean at baseline", "derived"),
                  Column("mean_follow_up", "Mean at follow-up", "derived"),
                  Column("mean_change", "Mean change", "derived")), rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
