//! Classification of articles: the gazetteer of China's divisions, region
//! assignment, topic assignment and related-article selection.
//!
//! Pure library code: data is compiled in; this module must NOT read files,
//! parse configuration or render anything.

#![warn(missing_docs)]

pub mod aliases;
pub mod gazetteer;
pub mod names;
pub mod regions;
pub mod related;
pub mod segment;
pub mod topics;
pub mod topics_default;
