//! The criteria catalogue: the default one is there from the start, versions are written whole
//! and never changed, and PostgreSQL itself refuses a version whose weights do not add up.

use prima::db::criteria;
use prima::domain::prioritisation::criteria::CriterionGroup;

use crate::support::spawn_app;

#[tokio::test]
async fn the_default_catalogue_is_version_1_of_the_strategy_in_force() {
    let app = spawn_app().await;
    let catalogue = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("the default catalogue");
    assert_eq!(catalogue.version, 1);
    let names: Vec<&str> = catalogue.criteria.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[0], "Nutzen für Bürgerinnen, Bürger und Unternehmen");
    assert_eq!(names.len(), 7);
    assert_eq!(
        catalogue
            .criteria
            .iter()
            .map(|c| u32::from(c.weight))
            .sum::<u32>(),
        100
    );
    let costs: Vec<&str> = catalogue
        .criteria
        .iter()
        .filter(|c| c.group == CriterionGroup::Cost)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(costs, ["Aufwand", "Umsetzungsrisiko"]);
    assert!(
        catalogue
            .criteria
            .iter()
            .all(|c| c.anchors.iter().all(|a| !a.is_empty()))
    );
    // Loading it again changes nothing.
    assert!(!criteria::load_default(&app.db).await.expect("load"));
}

#[tokio::test]
async fn a_version_is_never_changed_and_its_weights_add_up_to_100() {
    let app = spawn_app().await;
    for statement in [
        "update criteria set weight = weight + 1",
        "delete from criteria",
        "update criteria_catalogues set note = 'anders'",
    ] {
        let refused = sqlx::query(statement).execute(&app.db).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }

    let mut criteria_now = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("a catalogue")
        .criteria;
    criteria_now[0].weight -= 1;
    let refused = criteria::add_version(&app.db, &criteria_now, "99 %", None).await;
    let message = format!("{:#}", refused.expect_err("99 % refused at commit"));
    assert!(message.contains("add up to 99"), "{message}");
    let versions: i64 = sqlx::query_scalar("select count(*) from criteria_catalogues")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(versions, 1, "nothing of the refused version was written");

    criteria_now[1].weight += 1;
    let version = criteria::add_version(&app.db, &criteria_now, "umgewichtet", None)
        .await
        .expect("a valid version");
    assert_eq!(version, 2);
    let current = criteria::current(&app.db)
        .await
        .expect("read")
        .expect("a catalogue");
    assert_eq!(current.version, 2);
    assert_eq!(current.criteria[0].weight + 1, 25);
    let first: i64 = sqlx::query_scalar(
        "select sum(weight)::bigint from criteria c join criteria_catalogues k on k.id = c.catalogue_id
         where k.version = 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("version 1 still there");
    assert_eq!(first, 100);
}
