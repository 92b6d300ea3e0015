//! TEMPORARY (replaced by the classify branch).
pub mod gazetteer;
pub mod topics;
