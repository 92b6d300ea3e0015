//! TEMPORARY (replaced by the classify branch).
pub mod topics;
