//! Addresses PriMa builds: query values percent-encoded, so that a search text or a path in
//! "weiter=" cannot break out of its parameter.

/// Percent-encodes a value for a query string.
pub fn encode_query(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|encoded| encoded.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query("/strategie?a=1&b=2"),
            "%2Fstrategie%3Fa%3D1%26b%3D2"
        );
    }
}
