//! The two memory hints the tuned lock-free baseline uses, as the engine does: huge-page
//! advice for its tables and a prefetch of a cell ahead of its use. Advisory only: they change
//! how fast, never what.

#![allow(unsafe_code)]

use core::mem::MaybeUninit;

/// Asks the kernel to back `memory` with 2 MiB pages before its first touch (Linux only).
pub(crate) fn advise_huge_pages<T>(memory: &mut [MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = memory.as_mut_ptr() as usize;
        let aligned_start = start.next_multiple_of(PAGE);
        let end = start + size_of_val(memory);
        let Some(len) = end.checked_sub(aligned_start) else {
            return;
        };
        let len = len / PAGE * PAGE;
        if len > 0 {
            // SAFETY: the page-aligned range lies inside `memory`, which the caller borrows
            // exclusively; MADV_HUGEPAGE changes how the kernel backs it, never its contents.
            // A failure (huge pages disabled) is harmless and ignored.
            unsafe {
                libc::madvise(aligned_start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = memory;
}

/// Starts loading the cache line holding `value`.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    // SAFETY: a prefetch has no architectural effect and cannot fault; `value` is a valid
    // reference, and SSE is enabled (cfg above).
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
            (value as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = value;
}
