//! The `folio` binary: all work happens in the library; see `folio::cli`.

/// mimalloc instead of the system allocator: a build allocates and frees
/// millions of small strings and vectors (front matter, list items, postings),
/// which glibc's allocator spends measurable time consolidating.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same index in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Never hand freed memory back to the OS while running: each purge is an
    // `madvise` whose TLB shootdown interrupts every core, ~7 % of a one-edit
    // rebuild's CPU at 100k articles on a 2-core VM. A build's peak is what it
    // is either way (freed memory is reused); `folio serve` keeps its peak.
    // SAFETY: sets a plain integer option, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    std::process::exit(folio::cli::main());
}
