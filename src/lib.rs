//! Folio: a static-site generator for digital newspaper archives.
//!
//! The pipeline runs one way: `ingest` (seed page text → articles) →
//! `content` (articles on disk → typed model) → `site` (model → lists,
//! indexes, pagination) → `render` (pages through tera) → `search`
//! (sharded full-text index) → `output` (staged, atomic write of `public/`).
pub mod search;
