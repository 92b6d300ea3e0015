//! The `folio` binary: all work happens in the library; see `folio::cli`.

/// mimalloc instead of the system allocator: a build allocates and frees
/// millions of small strings and vectors (front matter, list items, postings),
/// which glibc's allocator spends measurable time consolidating.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(folio::cli::main());
}
