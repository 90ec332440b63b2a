//! Splitting a long `{files}` list into invocations that fit the OS limit.
//!
//! `execve` fails with `E2BIG` when argv plus the environment exceed `ARG_MAX`, so
//! a list is cut into chunks sized from that limit, minus the environment and
//! headroom, each argument costing its bytes, a NUL and a pointer.

use std::ops::Range;

/// Headroom for what the kernel and the loader add (auxv, the program path).
const HEADROOM: usize = 16 * 1024;

/// The bytes one argument costs on the new process's stack.
pub(crate) fn arg_cost(len: usize) -> usize {
    len + 1 + std::mem::size_of::<usize>()
}

/// The argv budget on this machine: `ARG_MAX` minus the current environment.
pub(crate) fn argv_budget() -> usize {
    // SAFETY: sysconf only reads a system constant.
    let arg_max = unsafe { libc::sysconf(libc::_SC_ARG_MAX) };
    // Some systems report -1 (no limit) or absurd values: cap at 2 MiB, the
    // common Linux default, so one giant chunk never meets a smaller stack limit.
    let arg_max = usize::try_from(arg_max)
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(128 * 1024)
        .min(2 * 1024 * 1024);
    let env: usize = std::env::vars_os()
        .map(|(k, v)| arg_cost(k.len() + v.len() + 1))
        .sum();
    arg_max
        .saturating_sub(env)
        .saturating_sub(HEADROOM)
        .max(4096)
}

/// Cut `sizes` (the byte length of each file argument) into consecutive ranges
/// whose cost plus `fixed` (the rest of the argv) stays within `budget`. A
/// single argument larger than the budget gets a chunk of its own.
pub(crate) fn chunks(sizes: &[usize], fixed: usize, budget: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = fixed;
    for (i, &size) in sizes.iter().enumerate() {
        let cost = arg_cost(size);
        if i > start && used + cost > budget {
            out.push(start..i);
            start = i;
            used = fixed;
        }
        used += cost;
    }
    if start < sizes.len() || sizes.is_empty() {
        out.push(start..sizes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_fits_in_one_chunk_when_small() {
        assert_eq!(chunks(&[10, 10, 10], 100, 10_000), vec![0..3]);
    }

    #[test]
    fn no_files_is_one_empty_chunk() {
        assert_eq!(chunks(&[], 100, 10_000), vec![0..0]);
    }

    #[test]
    fn twenty_thousand_long_paths_are_split_and_none_is_lost() {
        let sizes = vec![200; 20_000];
        let budget = 128 * 1024;
        let ranges = chunks(&sizes, 1000, budget);
        assert!(ranges.len() > 1);
        let mut next = 0;
        for r in &ranges {
            assert_eq!(r.start, next);
            let cost: usize = 1000 + sizes[r.clone()].iter().map(|&s| arg_cost(s)).sum::<usize>();
            assert!(cost <= budget, "chunk {r:?} costs {cost}");
            next = r.end;
        }
        assert_eq!(next, 20_000);
    }

    #[test]
    fn an_oversized_argument_gets_its_own_chunk() {
        assert_eq!(chunks(&[10, 5000, 10], 0, 1000), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn budget_leaves_room_for_the_environment() {
        let budget = argv_budget();
        assert!(budget >= 4096);
    }
}
