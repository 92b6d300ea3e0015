//! The `folio` binary: all work happens in the library; see `folio::cli`.

fn main() {
    std::process::exit(folio::cli::main());
}
