//! LEB128 varints, the one integer encoding of the search build's binary files (token cache
//! entries, posting runs, packed postings' gaps): seven bits a byte, low bits first, the high
//! bit set on every byte but the last. This module must NOT know what the numbers mean.

/// Appends `v`.
pub fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The varint at `*pos` (which moves past it); `None` if `data` ends inside it or it
/// overflows 64 bits.
pub fn get(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7F).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// [`get`], for a value that must fit 32 bits.
pub fn get_u32(data: &[u8], pos: &mut usize) -> Option<u32> {
    u32::try_from(get(data, pos)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_cut_values() {
        let values = [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX];
        let mut out = Vec::new();
        for v in values {
            put(&mut out, v);
        }
        assert_eq!(out[..4], [0, 1, 127, 0x80]);
        let mut pos = 0;
        for v in values {
            assert_eq!(get(&out, &mut pos), Some(v));
        }
        assert_eq!(pos, out.len());
        assert_eq!(get(&[0x80], &mut 0), None);
        let mut big = Vec::new();
        put(&mut big, u64::from(u32::MAX) + 1);
        assert_eq!(get_u32(&big, &mut 0), None);
    }
}
