//! Folio: a static-site generator for digital newspaper archives.
//!
//! The pipeline runs one way: `ingest` (seed page text → articles) →
//! `content` (articles on disk → typed model) → `site` (model → lists,
//! indexes, pagination) → `render` (pages through tera) → `search`
//! (sharded full-text index) → `output` (staged, atomic write of `public/`).

pub mod check;
pub mod classify;
pub mod config;
pub mod content;
pub mod ingest;
pub mod output;
pub mod program;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod text;

pub mod bench;
pub mod build;
pub mod cli;
pub mod serve_cmd;
