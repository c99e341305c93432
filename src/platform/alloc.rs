//! Fallible allocation of the engine's tables: an allocator that says no gives a typed error,
//! never an abort.
//!
//! `Vec::with_capacity` and `collect` abort the process when the allocator refuses ("memory
//! allocation of N bytes failed"), so a `Config` at the documented maximum sizes used to kill
//! the service that asked for it. Every table the engine builds goes through
//! [`try_boxed_slice`], which asks with `try_reserve_exact` first.
//!
//! A refusal is what the allocator reports. On Linux with memory overcommit enabled a large
//! request can be granted and fail only when touched, so a service that takes its `Config`
//! from elsewhere should check `Engine::memory_for` against its budget first.

use super::hints;

/// The allocator refused `bytes` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AllocError {
    pub(crate) bytes: usize,
}

/// Whether to ask the kernel for 2 MiB pages (see [`hints::advise_huge_pages`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pages {
    Normal,
    Huge,
}

/// A boxed slice of `len` values made by `make`, or the allocator's refusal.
pub(crate) fn try_boxed_slice<T>(
    len: usize,
    pages: Pages,
    make: impl FnMut() -> T,
) -> Result<Box<[T]>, AllocError> {
    let refused = AllocError {
        bytes: len.saturating_mul(size_of::<T>()),
    };
    let mut values = Vec::new();
    values.try_reserve_exact(len).map_err(|_| refused)?;
    if pages == Pages::Huge {
        hints::advise_huge_pages(values.spare_capacity_mut());
    }
    values.extend(core::iter::repeat_with(make).take(len));
    // Exact capacity: no reallocation.
    Ok(values.into_boxed_slice())
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_request_no_machine_can_grant_is_an_error() {
        let refused = try_boxed_slice(usize::MAX / 8, Pages::Normal, || 0u64).unwrap_err();
        assert_eq!(refused.bytes, usize::MAX / 8 * 8);
    }

    #[test]
    fn a_granted_request_is_filled() {
        let values = try_boxed_slice(5, Pages::Huge, || 7u32).unwrap();
        assert_eq!(&*values, [7; 5]);
    }
}
