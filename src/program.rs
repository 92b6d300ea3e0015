//! What identifies this build of the `folio` program, for caches whose
//! entries a different program could read differently (the load cache's binary
//! entries, the render cache's page keys). Decides nothing else.

use std::sync::OnceLock;

/// 16 bytes naming this program: its version and its executable's size and
/// modification time (a rebuilt `folio` may encode or render differently).
pub fn identity() -> [u8; 16] {
    static ID: OnceLock<[u8; 16]> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = blake3::Hasher::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
            h.update(&meta.len().to_le_bytes());
            if let Ok(t) = meta.modified()
                && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
            {
                h.update(&d.as_nanos().to_le_bytes());
            }
        }
        let mut id = [0u8; 16];
        id.copy_from_slice(&h.finalize().as_bytes()[..16]);
        id
    })
}
