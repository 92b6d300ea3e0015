//! `folio check`: validation of a site's inputs and of its built output, reporting
//! every problem with file and line.
//!
//! Checks only read; they must NOT modify content, config or output.

pub mod links;
pub mod site;
mod source;
