//! TEMPORARY (replaced by the search branch).
use serde::Deserialize;
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchOptions {
    pub enabled: bool,
}
impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { enabled: true }
    }
}
