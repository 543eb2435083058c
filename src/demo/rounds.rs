//! Example prioritisation rounds: one of 2025, assessed by every office and frozen by the
//! district heads' conference, and one open round of 2027 that most offices have assessed in
//! part, with values that partly disagree. Written through the same functions the pages use;
//! the values come from a seeded generator, so they are the same on every machine.

use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::PgPool;

use super::Random;
use crate::db;
use crate::db::catalogue::{Filter, Scope};
use crate::db::rounds::{NewRound, Submission};
use crate::domain::ids::{MeasureId, RoundId, UserId};
use crate::domain::office::Office;
use crate::domain::prioritisation::rounds::{Decision, Rating, RoundName};
use crate::rounds::RoundData;

/// Opens, assesses and (for 2025) freezes the example rounds, unless a round exists already.
pub async fn load(pool: &PgPool) -> anyhow::Result<()> {
    if db::demo::rounds_present(pool).await? {
        return Ok(());
    }
    db::demo::require_by_law(
        pool,
        "10098",
        "OZG-Leistung mit Umsetzungsfrist; der Senat hat die Bereitstellung zugesagt",
    )
    .await?;
    let assessors = db::demo::example_assessors(pool).await?;
    let Some(central) = assessors
        .iter()
        .find(|(_, office)| *office == Office::Central)
        .map(|(id, _)| *id)
    else {
        anyhow::bail!("the example colleagues are missing");
    };
    let catalogue = db::criteria::current(pool)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no criteria catalogue"))?;

    // 2025: the measures accepted then, assessed by everyone, one final value, frozen.
    let earlier = open(
        pool,
        catalogue.id,
        "Priorisierung 2025",
        date(2025, 10, 31)?,
        Scope::Implementation,
        central,
    )
    .await?;
    db::demo::backdate_round(
        pool,
        earlier,
        Utc.with_ymd_and_hms(2025, 9, 15, 8, 0, 0)
            .single()
            .unwrap_or_else(Utc::now),
    )
    .await?;
    let measures = db::rounds::measures(pool, earlier).await?;
    let mut random = Random(2025);
    for measure in &measures {
        assess_all(
            pool,
            earlier,
            measure.id,
            &assessors,
            &catalogue.criterion_ids,
            &mut random,
            30,
        )
        .await?;
    }
    if let Some(first) = measures.first() {
        db::rounds::set_final_value(
            pool,
            earlier,
            first.id,
            catalogue.criterion_ids[0],
            Some((
                8,
                "In der Runde der Digitalisierungsbeauftragten am 4.11.2025 geklärt",
            )),
            central,
        )
        .await?;
    }
    let decision = Decision {
        decided_on: date(2025, 11, 20)?,
        body: "Konferenz der Bezirksamtsleitungen".to_owned(),
        note: "Die Rangfolge gilt für die Planung 2026.".to_owned(),
    };
    if let Some(data) = RoundData::load(pool, earlier).await? {
        data.freeze(pool, &decision, central).await?;
    }

    // 2027: open; each office has assessed part of the measures.
    let current = open(
        pool,
        catalogue.id,
        "Priorisierung 2027",
        date(2027, 1, 29)?,
        Scope::Prioritisation,
        central,
    )
    .await?;
    let measures = db::rounds::measures(pool, current).await?;
    let mut random = Random(2027);
    for (index, measure) in measures.iter().enumerate() {
        // The first offices got further than the last ones.
        let raters: Vec<(UserId, Office)> = assessors
            .iter()
            .enumerate()
            .filter(|(position, _)| (index + position) % 8 < 6)
            .map(|(_, rater)| *rater)
            .collect();
        assess_all(
            pool,
            current,
            measure.id,
            &raters,
            &catalogue.criterion_ids,
            &mut random,
            25,
        )
        .await?;
    }
    Ok(())
}

fn date(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| anyhow::anyhow!("no such date"))
}

async fn open(
    pool: &PgPool,
    catalogue_id: uuid::Uuid,
    name: &str,
    deadline: NaiveDate,
    scope: Scope,
    by: UserId,
) -> anyhow::Result<RoundId> {
    let measures: Vec<MeasureId> = db::catalogue::ids(pool, &Filter::default(), scope).await?;
    let name = RoundName::parse(name).map_err(anyhow::Error::msg)?;
    let notice = format!("Die Priorisierungsrunde „{}“ ist eröffnet.", name.as_str());
    db::rounds::open(
        pool,
        &NewRound {
            name: &name,
            deadline,
            catalogue_id,
            measures: &measures,
            by,
            notice: &notice,
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("opening {}: {error:?}", name.as_str()))
}

/// Every rater assesses the measure: a shared base value per criterion, each office a point or
/// so above or below it, now and then one office far off (a disagreement worth discussing) and
/// now and then "nicht beurteilbar". One in `disagree_one_in` criteria has an outlier. Per rater
/// (in the order of `raters`) the ratings of the `criteria` criteria.
fn ratings(
    raters: usize,
    criteria: usize,
    random: &mut Random,
    disagree_one_in: usize,
) -> Vec<Vec<(Rating, String)>> {
    let bases: Vec<i32> = (0..criteria).map(|_| 2 + random.below(7) as i32).collect();
    let outliers: Vec<Option<usize>> = (0..criteria)
        .map(|_| (random.below(disagree_one_in) == 0).then(|| random.below(raters.max(1))))
        .collect();
    (0..raters)
        .map(|position| {
            (0..criteria)
                .map(|k| {
                    if random.below(25) == 0 {
                        return (
                            Rating::NotAssessable,
                            "Dazu fehlen uns Erfahrungen.".to_owned(),
                        );
                    }
                    let mut value = bases[k] + random.below(3) as i32 - 1;
                    let mut reason = String::new();
                    if outliers[k] == Some(position) {
                        value = if bases[k] >= 5 {
                            bases[k] - 5
                        } else {
                            bases[k] + 5
                        };
                        reason = "Bei uns sieht das anders aus: der Aufwand im Fachamt wäre hoch."
                            .to_owned();
                    }
                    let points = u8::try_from(value.clamp(0, 10)).unwrap_or_default();
                    (Rating::Points(points), reason)
                })
                .collect()
        })
        .collect()
}

/// Every rater of `raters` assesses the measure (see [`ratings`]), through the pages' function.
async fn assess_all(
    pool: &PgPool,
    round: RoundId,
    measure: MeasureId,
    raters: &[(UserId, Office)],
    criteria: &[uuid::Uuid],
    random: &mut Random,
    disagree_one_in: usize,
) -> anyhow::Result<()> {
    let all = ratings(raters.len(), criteria.len(), random, disagree_one_in);
    for ((rater, office), given) in raters.iter().zip(all) {
        let ratings: Vec<(uuid::Uuid, Rating, String)> = criteria
            .iter()
            .zip(given)
            .map(|(id, (rating, reason))| (*id, rating, reason))
            .collect();
        db::rounds::submit(
            pool,
            &Submission {
                round,
                measure,
                rater: *rater,
                office: *office,
                ratings: &ratings,
            },
        )
        .await?;
    }
    Ok(())
}

/// For load tests: an open round of every generated measure, assessed by all eight example
/// officers with values from `seed` (the same seed, the same values); skipped when a round of
/// that name exists. Its deadline has passed, as when the central officer weighs the result
/// before the decision (and sees every value). Returns the round and how many measures it holds.
pub async fn load_test_round(pool: &PgPool, seed: u64) -> anyhow::Result<Option<(RoundId, usize)>> {
    let name = format!("Lasttest (Startwert {seed})");
    if db::demo::round_named(pool, &name).await? {
        return Ok(None);
    }
    let assessors = super::life::assessors(pool).await?;
    let central = assessors
        .iter()
        .find(|(_, office)| *office == Office::Central)
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow::anyhow!("no central officer"))?;
    let catalogue = db::criteria::current(pool)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no criteria catalogue"))?;
    let filter = Filter {
        tag: "generiert".to_owned(),
        ..Filter::default()
    };
    let measures: Vec<MeasureId> = db::catalogue::ids(pool, &filter, Scope::Catalogue).await?;
    let round_name = RoundName::parse(&name).map_err(anyhow::Error::msg)?;
    let notice = format!("Die Priorisierungsrunde „{name}“ ist eröffnet.");
    let round = db::rounds::open(
        pool,
        &NewRound {
            name: &round_name,
            deadline: date(2026, 1, 30)?,
            catalogue_id: catalogue.id,
            measures: &measures,
            by: central,
            notice: &notice,
        },
    )
    .await
    .map_err(|error| anyhow::anyhow!("opening {name}: {error:?}"))?;
    let mut random = Random(seed.max(1));
    let mut rows = Vec::new();
    for measure in &measures {
        let all = ratings(
            assessors.len(),
            catalogue.criterion_ids.len(),
            &mut random,
            25,
        );
        for ((rater, office), given) in assessors.iter().zip(all) {
            for (criterion, (rating, reason)) in catalogue.criterion_ids.iter().zip(given) {
                rows.push(db::demo::BulkAssessment {
                    measure: *measure,
                    criterion: *criterion,
                    rater: *rater,
                    office: *office,
                    value: rating.points().map(i16::from),
                    reason,
                });
            }
        }
        if rows.len() >= 50_000 {
            db::demo::insert_assessments(pool, round, &rows).await?;
            rows.clear();
        }
    }
    db::demo::insert_assessments(pool, round, &rows).await?;
    sqlx::raw_sql("vacuum (analyze) assessments, round_measures")
        .execute(pool)
        .await?;
    Ok(Some((round, measures.len())))
}
