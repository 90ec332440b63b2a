//! `--shard K/N`: one of N machines' share of the groups that take file lists.
//!
//! Pure. A group whose command has `{tests}` (else `{files}`) keeps only the
//! files of shard K; every other group runs on shard 1 alone, so the N shards
//! together run each group and each file exactly once. The split depends only
//! on the file list and the durations given, never on the machine: the same
//! history and inputs give the same shards everywhere.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::{Decision, Plan};

/// Shard `index` of `total`, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    pub(crate) index: usize,
    pub(crate) total: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N`, 1 ≤ K ≤ N; the message says how to write it right.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (k, n) = text.split_once('/').ok_or_else(|| {
            format!(
                "`{text}` is not K/N: write the shard and the number of shards, as `--shard 1/4`"
            )
        })?;
        let number = |part: &str, what: &str| {
            part.trim().parse::<usize>().map_err(|_| {
                format!("`{part}` is not a number ({what} of `{text}`): write `--shard 1/4`")
            })
        };
        let index = number(k, "the shard")?;
        let total = number(n, "the number of shards")?;
        if total == 0 {
            return Err("there must be at least one shard: write `--shard 1/1` or more".into());
        }
        if index == 0 {
            return Err(format!(
                "shards are numbered from 1: use `--shard 1/{total}` to `--shard {total}/{total}`"
            ));
        }
        if index > total {
            return Err(format!(
                "shard {index} is past the last of {total}: use `--shard 1/{total}` to `--shard {total}/{total}`"
            ));
        }
        Ok(Shard { index, total })
    }
}

/// The expected seconds of each file, for the groups' files that history
/// knows; `durations` maps a file name (as `{tests}`/`{files}` spells it) to
/// seconds. A file history does not know counts as the median of the known
/// ones, and when none is known every file weighs the same (1 s), so the
/// split is then by count.
pub(crate) fn weights(files: &[Vec<u8>], durations: &BTreeMap<String, f64>) -> Vec<f64> {
    let known: Vec<Option<f64>> = files
        .iter()
        .map(|f| {
            durations
                .get(String::from_utf8_lossy(f).as_ref())
                .copied()
                .filter(|d| d.is_finite() && *d >= 0.0)
        })
        .collect();
    let mut seen: Vec<f64> = known.iter().flatten().copied().collect();
    seen.sort_by(f64::total_cmp);
    let median = match seen.len() {
        0 => 1.0,
        n if n % 2 == 1 => seen[n / 2],
        n => f64::midpoint(seen[n / 2 - 1], seen[n / 2]),
    };
    known.into_iter().map(|d| d.unwrap_or(median)).collect()
}

/// Greedy longest-processing-time: files from the longest down (ties by
/// path), each onto the shard with the least expected time so far (ties to
/// the lowest number). Returns, per shard, the indices into `files` in the
/// order of `files`.
pub(crate) fn partition(files: &[Vec<u8>], weights: &[f64], total: usize) -> Vec<Vec<usize>> {
    let total = total.max(1);
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| {
        weights[b]
            .total_cmp(&weights[a])
            .then_with(|| files[a].cmp(&files[b]))
    });
    let mut load = vec![0.0_f64; total];
    let mut shards: Vec<Vec<usize>> = vec![Vec::new(); total];
    for i in order {
        let lightest = (0..total)
            .min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b)))
            .unwrap_or(0);
        load[lightest] += weights[i];
        shards[lightest].push(i);
    }
    for shard in &mut shards {
        shard.sort_unstable();
    }
    shards
}

/// What sharding did to one group, for `plan --shard`.
#[derive(Debug, Clone)]
pub(crate) struct GroupShare {
    pub(crate) stage: String,
    pub(crate) group: String,
    /// `{tests}` or `{files}`; `None` when the group cannot be split.
    pub(crate) placeholder: Option<&'static str>,
    /// This shard's files and their expected seconds.
    pub(crate) files: Vec<(String, f64)>,
    /// The expected seconds of every shard, by number.
    pub(crate) per_shard: Vec<f64>,
    /// Whether any file's time came from history (else equal weights or medians).
    pub(crate) from_history: usize,
}

/// Narrow `plan` to `shard`: each running group's `{tests}` (else `{files}`)
/// to the shard's share, skipped when its share is empty; a group without
/// either runs on shard 1 only. `durations(stage, group)` gives the per-file
/// seconds history knows for that group.
pub(crate) fn apply(
    plan: &mut Plan<'_>,
    shard: Shard,
    durations: &dyn Fn(&str, &str) -> BTreeMap<String, f64>,
) -> Vec<GroupShare> {
    let mut shares = Vec::new();
    for stage in &mut plan.stages {
        for group_plan in &mut stage.groups {
            let Decision::Run { files, tests, .. } = &mut group_plan.decision else {
                continue;
            };
            let template = &group_plan.group.run;
            let (placeholder, list) = if template.uses_tests() {
                ("{tests}", tests)
            } else if template.uses_files() {
                ("{files}", files)
            } else {
                shares.push(GroupShare {
                    stage: stage.stage.name.clone(),
                    group: group_plan.group.name.clone(),
                    placeholder: None,
                    files: Vec::new(),
                    per_shard: Vec::new(),
                    from_history: 0,
                });
                if shard.index != 1 {
                    group_plan.decision = Decision::Skip {
                        why: format!(
                            "runs on shard 1 of {} only: its command takes no {{tests}} or {{files}} to split",
                            shard.total
                        ),
                    };
                }
                continue;
            };
            let known = durations(&stage.stage.name, &group_plan.group.name);
            let weights = weights(list, &known);
            let from_history = list
                .iter()
                .filter(|f| known.contains_key(String::from_utf8_lossy(f).as_ref()))
                .count();
            let parts = partition(list, &weights, shard.total);
            let per_shard = parts
                .iter()
                .map(|p| p.iter().map(|&i| weights[i]).fold(0.0, |a, b| a + b))
                .collect();
            let mine = &parts[shard.index - 1];
            let count = list.len();
            shares.push(GroupShare {
                stage: stage.stage.name.clone(),
                group: group_plan.group.name.clone(),
                placeholder: Some(placeholder),
                files: mine
                    .iter()
                    .map(|&i| (String::from_utf8_lossy(&list[i]).into_owned(), weights[i]))
                    .collect(),
                per_shard,
                from_history,
            });
            let kept: Vec<Vec<u8>> = mine.iter().map(|&i| list[i].clone()).collect();
            *list = kept;
            if list.is_empty() {
                group_plan.decision = Decision::Skip {
                    why: format!(
                        "shard {shard} has none of its {count} file(s) in {placeholder}: other shards run them"
                    ),
                };
            }
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("tests/test_{i:02}.py").into_bytes())
            .collect()
    }

    #[test]
    fn shard_syntax_and_range_are_checked() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, total: 4 }));
        assert!("0/4"
            .parse::<Shard>()
            .unwrap_err()
            .contains("numbered from 1"));
        assert!("5/4"
            .parse::<Shard>()
            .unwrap_err()
            .contains("past the last"));
        assert!("1/0".parse::<Shard>().unwrap_err().contains("at least one"));
        assert!("2".parse::<Shard>().unwrap_err().contains("not K/N"));
        assert!("a/4".parse::<Shard>().unwrap_err().contains("not a number"));
        assert!("-1/4".parse::<Shard>().is_err());
    }

    #[test]
    fn every_file_lands_on_exactly_one_shard() {
        let files = names(41);
        let w = weights(&files, &BTreeMap::new());
        let parts = partition(&files, &w, 4);
        let mut all: Vec<usize> = parts.concat();
        all.sort_unstable();
        assert_eq!(all, (0..41).collect::<Vec<_>>());
        // Equal weights: by count, 11 + 10 + 10 + 10.
        let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![11, 10, 10, 10]);
    }

    #[test]
    fn unknown_files_count_as_the_median() {
        let files = names(4);
        let known: BTreeMap<String, f64> = [
            ("tests/test_00.py".to_owned(), 1.0),
            ("tests/test_01.py".to_owned(), 3.0),
            ("tests/test_02.py".to_owned(), 10.0),
        ]
        .into();
        assert_eq!(weights(&files, &known), vec![1.0, 3.0, 10.0, 3.0]);
    }

    #[test]
    fn the_split_does_not_depend_on_the_input_order() {
        let files = names(40);
        let durations: BTreeMap<String, f64> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (String::from_utf8_lossy(f).into_owned(), (i % 7) as f64))
            .collect();
        let named = |files: &[Vec<u8>]| -> Vec<Vec<String>> {
            let w = weights(files, &durations);
            let mut out: Vec<Vec<String>> = partition(files, &w, 4)
                .into_iter()
                .map(|p| {
                    let mut n: Vec<String> = p
                        .iter()
                        .map(|&i| String::from_utf8_lossy(&files[i]).into_owned())
                        .collect();
                    n.sort();
                    n
                })
                .collect();
            out.truncate(4);
            out
        };
        let mut reversed = files.clone();
        reversed.reverse();
        assert_eq!(named(&files), named(&reversed));
    }

    /// A realistic suite: a few slow integration files, a long tail of fast
    /// unit files (durations drawn from a skewed, log-normal-like spread).
    #[test]
    fn four_shards_of_forty_skewed_files_are_within_fifteen_percent_of_ideal() {
        let files = names(40);
        // Deterministic skew: 3 files of 30-60 s, 7 of 5-12 s, 30 of 0.2-3 s.
        let mut seconds = vec![58.0, 41.5, 30.2];
        seconds.extend([12.0, 10.4, 9.1, 7.7, 6.3, 5.8, 5.0]);
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..30 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            seconds.push(0.2 + (x % 280) as f64 / 100.0);
        }
        let durations: BTreeMap<String, f64> = files
            .iter()
            .zip(&seconds)
            .map(|(f, s)| (String::from_utf8_lossy(f).into_owned(), *s))
            .collect();
        let w = weights(&files, &durations);
        let parts = partition(&files, &w, 4);
        let loads: Vec<f64> = parts
            .iter()
            .map(|p| p.iter().map(|&i| w[i]).sum())
            .collect();
        let total: f64 = seconds.iter().sum();
        let slowest = loads.iter().copied().fold(0.0, f64::max);
        let ratio = slowest / (total / 4.0);
        assert!(
            ratio <= 1.15,
            "slowest shard {slowest:.1}s of {total:.1}s: {ratio:.3}x ideal"
        );
    }
}
