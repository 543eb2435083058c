//! The JSON documents' schemas in docs/schemas, as a reader of the documentation gets them:
//! every document PriMa serves is checked against them with a real JSON Schema validator.

use std::path::Path;

fn load(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The problems of `document` against `docs/schemas/{name}` (formats checked too); the schemas
/// refer to each other by their `$id`.
pub fn problems(name: &str, document: &serde_json::Value) -> Vec<String> {
    let schemas = [
        "round.schema.json",
        "ranking.schema.json",
        "export.schema.json",
        "open-data.schema.json",
    ];
    let mut builder = jsonschema::Registry::new();
    for schema in schemas {
        let contents = load(schema);
        let id = contents["$id"].as_str().expect("an $id").to_owned();
        builder = builder.add(id, contents).expect("a valid $id");
    }
    let registry = builder.prepare().expect("the schemas resolve");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&load(name))
        .expect("a valid schema");
    validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}
